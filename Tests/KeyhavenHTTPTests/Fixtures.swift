import Foundation
import KeyhavenHTTP

/// A small router exercising what the HTTP layer offers, without any domain code.
enum Fixtures {
    struct Greeting: RequestBody, Codable {
        static let fieldNames: Set<String> = ["name", "times", "loud_voice"]
        var name: String
        var times: Int?
        var loudVoice: Bool?
    }

    struct Boom: Error, CustomStringConvertible {
        var description: String { "SELECT * FROM secrets -- internal detail" }
    }

    static func router() -> Router {
        var router = Router()
        router.get("/hello") { _, _ in try Response.json(["message": "hello"]) }
        router.post("/greet") { request, _ in
            let greeting = try request.decode(Greeting.self)
            return try Response.json(["greeting": "hi \(greeting.name)"], status: 201)
        }
        router.get("/items/{id}") { _, context in try Response.json(["id": context.parameter("id")]) }
        router.get("/items/special") { _, _ in try Response.json(["id": "literal wins"]) }
        router.delete("/items/{id}") { _, _ in .noContent }
        router.get("/boom") { _, _ in throw Boom() }
        router.get("/teapot") { _, _ in throw HTTPError(status: 409, code: "teapot", detail: "short and stout") }
        router.get("/thread") { _, _ in try Response.json(["thread": String(describing: pthread_self())]) }
        router.get("/whoami") { _, context in try Response.json(["ip": context.clientAddress]) }
        router.get("/slow") { _, _ in
            Thread.sleep(forTimeInterval: 0.5)
            return try Response.json(["done": true])
        }
        return router
    }

    static func responder(trustedProxies: [String] = [], https: Bool = false, observer: (any RequestObserver)? = nil) -> Responder {
        Responder(
            router: router(), observer: observer,
            options: .init(httpsEnabled: https, trustedProxies: trustedProxies.compactMap(IPAddressRange.init)))
    }

    static var client: TestClient { TestClient(responder: responder()) }

    struct Problem: Decodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var requestId: String
        var errors: [HTTPError.FieldError]?
    }
}
