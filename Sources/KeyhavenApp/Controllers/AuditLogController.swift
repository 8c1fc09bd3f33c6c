import Foundation
import KeyhavenHTTP
import KeyhavenStorage

/// `GET /audit-log`: the caller's own security events, newest first, paginated.
struct AuditLogController {
    let audit: any AuditLogRepository
    let cursors: CursorSigner
    let authenticator: Authenticator

    func register(on router: inout Router) {
        router.get("/audit-log", handler: authenticator.require { request, context in try list(request, context) })
    }

    private func list(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let page = try PageRequest(request)
        let userID = context.user.id
        let before = try page.cursor.map { try cursors.sequence(from: $0, userID: userID) }
        let events = try audit.events(userID: userID, limit: page.limit + 1, beforeSequence: before)
        let shown = events.prefix(page.limit)
        var writer = JSONWriter(capacity: 256 + shown.count * 200)
        writer.beginObject()
        writer.beginArray(key: "items")
        for event in shown {
            writer.beginObject()
            writer.field("id", event.id.rawValue)
            writer.field("event", event.kind.rawValue)
            writer.timestamp("created_at", event.createdAt)
            writer.field("ip", event.ipAddress)
            writer.field("user_agent", event.userAgent)
            writer.field("detail", event.detail)
            writer.endObject()
        }
        writer.endArray()
        let next = events.count > page.limit ? shown.last.map { cursors.cursor(sequence: $0.sequence, userID: userID) } : nil
        writer.field("next_cursor", next)
        writer.endObject()
        return Response(status: 200, headers: ["Content-Type": "application/json"], body: writer.bytes)
    }
}
