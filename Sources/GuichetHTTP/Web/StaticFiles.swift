import Foundation
import Hummingbird

/// The page's stylesheet and script, from `Resources/Static`, read once and cached by browsers for
/// an hour.
enum StaticFiles {
    static let files: [String: (type: String, bytes: ByteBuffer)] = {
        var files: [String: (String, ByteBuffer)] = [:]
        for (name, type) in [("guichet.css", "text/css; charset=utf-8"), ("guichet.js", "text/javascript; charset=utf-8")] {
            let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources/Static")
            if let data = url.flatMap({ try? Data(contentsOf: $0) }) { files[name] = (type, ByteBuffer(bytes: data)) }
        }
        return files
    }()

    static func register(on router: Router<GuichetRequestContext>) {
        router.get("/static/:file") { _, context in
            guard let file = files[try context.parameters.require("file")] else { throw HTTPError(.notFound) }
            return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: file.bytes))
        }
    }
}
