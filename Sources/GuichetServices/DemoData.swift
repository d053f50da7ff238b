import Foundation

/// The fixed material of the demo directory: the six départements of Centre-Val de Loire, their
/// towns, and names to build establishments and people from.
enum DemoData {
    struct Department {
        let code: String
        let name: String
        let towns: [String]
    }

    static let departments: [Department] = [
        Department(code: "18", name: "Cher", towns: ["Bourges", "Vierzon", "Saint-Amand-Montrond", "Aubigny-sur-Nère", "Sancerre", "Mehun-sur-Yèvre"]),
        Department(code: "28", name: "Eure-et-Loir", towns: ["Chartres", "Dreux", "Châteaudun", "Nogent-le-Rotrou", "Lucé", "Vernouillet"]),
        Department(code: "36", name: "Indre", towns: ["Châteauroux", "Issoudun", "Le Blanc", "La Châtre", "Argenton-sur-Creuse", "Déols"]),
        Department(code: "37", name: "Indre-et-Loire", towns: ["Tours", "Joué-lès-Tours", "Amboise", "Chinon", "Loches", "Saint-Cyr-sur-Loire"]),
        Department(code: "41", name: "Loir-et-Cher", towns: ["Blois", "Vendôme", "Romorantin-Lanthenay", "Vineuil", "Mer", "Montoire-sur-le-Loir"]),
        Department(code: "45", name: "Loiret", towns: ["Orléans", "Montargis", "Gien", "Pithiviers", "Fleury-les-Aubrais", "Olivet"]),
    ]

    /// Establishment types with their display prefix, in the proportions of the demo.
    static let establishmentTypes: [(type: String, prefix: String, weight: Int)] = [
        ("lycee", "Lycée", 10),
        ("lycee_professionnel", "Lycée professionnel", 8),
        ("lycee_agricole", "Lycée agricole", 2),
        ("cfa", "CFA", 4),
        ("erea", "EREA", 1),
    ]

    static let patrons = [
        "Jean Zay", "Marguerite Yourcenar", "Jean Moulin", "Marie Curie", "Victor Hugo", "George Sand", "Jules Verne", "Pierre-Gilles de Gennes",
        "Simone Veil", "Alain-Fournier", "Charles Péguy", "Honoré de Balzac", "François Rabelais", "Pierre de Ronsard", "Léonard de Vinci",
        "Jacques Cœur", "Albert Camus", "Paul-Louis Courier", "Jean Giraudoux", "Émile Zola", "Gaston Berger", "Maurice Genevoix",
        "Sully", "Benjamin Franklin", "Voltaire", "Descartes", "Augustin Thierry", "Dessaignes", "Rotrou", "Marceau", "Édouard Branly",
        "Camille Claudel", "Condorcet", "Jean Monnet", "Louise Michel", "Olympe de Gouges", "Lavoisier", "Gutenberg", "Jean Jaurès",
        "Blaise Pascal",
    ]

    static let firstNames = [
        "Camille", "Nicolas", "Sophie", "Julien", "Isabelle", "Thomas", "Nathalie", "Pierre", "Céline", "Laurent", "Aurélie", "Olivier",
        "Émilie", "Sébastien", "Claire", "Mathieu", "Sandrine", "Antoine", "Hélène", "Vincent", "Marion", "Guillaume", "Caroline", "François",
        "Anne", "David", "Julie", "Christophe", "Élodie", "Frédéric", "Lucie", "Romain", "Valérie", "Maxime", "Stéphanie", "Benoît",
    ]

    static let lastNames = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre",
        "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont",
        "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry",
        "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    ]

    /// The UAI of an establishment: three digits of département, four of number, and the check letter
    /// (the seven digits modulo 23 in an alphabet without I, O and Q).
    static func uai(department: String, number: Int) -> String {
        let digits = "0" + department + String(format: "%04d", number % 10_000)
        let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
        return digits + String(alphabet[(Int(digits) ?? 0) % 23])
    }

    /// A lower-case ASCII e-mail local part from a display name.
    static func mailbox(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        return String(folded.map { $0.isLetter || $0.isNumber ? $0 : "." }).replacingOccurrences(of: "..", with: ".")
    }
}

/// A reproducible random sequence, so that every fresh demo looks the same.
struct DemoRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
}
