import Foundation
import KeyhavenHTTP
import KeyhavenStorage

/// `/notifications`: the in-app list, marking read, and which emails the user gets.
struct NotificationsController {
    let repository: any NotificationRepository
    let cursors: CursorSigner
    let authenticator: Authenticator

    func register(on router: inout Router) {
        router.get("/notifications", handler: authenticator.require { request, context in try list(request, context) })
        router.post("/notifications/{id}/read", handler: authenticator.require { _, context in try markRead(context) })
        router.get("/notifications/settings", handler: authenticator.require { _, context in try settings(context) })
        router.put("/notifications/settings", handler: authenticator.require { request, context in try updateSettings(request, context) })
    }

    struct SettingsBody: RequestBody {
        static let fieldNames: Set<String> = ["email"]
        var email: [String: Bool]
    }

    private func list(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let page = try PageRequest(request)
        let userID = context.user.id
        let unreadOnly: Bool
        switch request.query["unread"] {
        case nil, "false": unreadOnly = false
        case "true": unreadOnly = true
        default: throw HTTPError.badRequest("unread must be true or false.", code: "invalid_query")
        }
        let before = try page.cursor.map { try cursors.sequence(from: $0, userID: userID) }
        let found = try repository.list(userID: userID, unreadOnly: unreadOnly, limit: page.limit + 1, beforeSequence: before)
        let shown = found.prefix(page.limit)
        var writer = JSONWriter(capacity: 256 + shown.count * 300)
        writer.beginObject()
        writer.beginArray(key: "items")
        for notification in shown {
            writer.beginObject()
            writer.field("id", notification.id.rawValue)
            writer.field("kind", notification.kind)
            writer.field("title", notification.title)
            writer.field("body", notification.body)
            writer.timestamp("created_at", notification.createdAt)
            if let readAt = notification.readAt { writer.timestamp("read_at", readAt) } else { writer.field("read_at", nil as String?) }
            writer.endObject()
        }
        writer.endArray()
        let next =
            found.count > page.limit
            ? shown.last.map {
                cursors.cursor(sequence: $0.sequence, userID: userID)
            } : nil
        writer.field("next_cursor", next)
        writer.endObject()
        return Response(status: 200, headers: ["Content-Type": "application/json"], body: writer.bytes)
    }

    private func markRead(_ context: AuthenticatedContext) throws -> Response {
        guard try repository.markRead(id: NotificationID(try context.request.parameter("id")), userID: context.user.id, at: Date()) else {
            throw HTTPError.notFound("No such notification.")
        }
        return .noContent
    }

    private func settings(_ context: AuthenticatedContext) throws -> Response {
        let muted = try repository.mutedEmailKinds(userID: context.user.id)
        return try Response.json(Self.settingsBody(muted: muted))
    }

    private func updateSettings(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(SettingsBody.self)
        var muted = try repository.mutedEmailKinds(userID: context.user.id)
        var errors: [HTTPError.FieldError] = []
        for (name, enabled) in body.email.sorted(by: { $0.key < $1.key }) {
            guard let kind = Notifier.Kind(rawValue: name) else {
                errors.append(.init(field: "email.\(name)", message: "is not a kind of notification"))
                continue
            }
            if kind.isSecurityAlert && !enabled {
                errors.append(.init(field: "email.\(name)", message: "security alerts cannot be turned off"))
            } else if enabled {
                muted.remove(name)
            } else {
                muted.insert(name)
            }
        }
        guard errors.isEmpty else { throw HTTPError.validationFailed(errors) }
        try repository.setMutedEmailKinds(muted, userID: context.user.id, at: Date())
        return try Response.json(Self.settingsBody(muted: muted))
    }

    private struct Settings: Encodable {
        var email: [String: Bool]
        var securityAlerts: [String]
    }

    private static func settingsBody(muted: Set<String>) -> Settings {
        Settings(
            email: Dictionary(uniqueKeysWithValues: Notifier.Kind.allCases.map { ($0.rawValue, !muted.contains($0.rawValue)) }),
            securityAlerts: Notifier.Kind.allCases.filter(\.isSecurityAlert).map(\.rawValue))
    }
}
