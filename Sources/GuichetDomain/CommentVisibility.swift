/// Who reads a comment: everyone who sees the ticket (a public reply), or only those who work on it
/// (an internal note, `AccessPolicy.mayUseInternalNotes`).
public enum CommentVisibility: String, Sendable, Codable, CaseIterable {
    case `public`
    case `internal`
}
