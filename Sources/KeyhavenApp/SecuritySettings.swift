public import KeyhavenStorage

/// Token lifetimes and rate limits. Not environment variables: the defaults are the product's
/// policy; tests change them through `Configuration.security`.
public struct SecuritySettings: Sendable {
    public var accessTokenLifetimeSeconds = 15 * 60
    public var refreshTokenLifetimeSeconds = 30 * 24 * 60 * 60
    /// `iss` of access tokens; defaults to the public URL.
    public var tokenIssuer: String?
    public var tokenAudience = "keyhaven"

    /// Login attempts per client address.
    public var loginPerAddress = TokenBucketRule(capacity: 30, refillPerMinute: 30)
    /// Login attempts per account (by email, known or not, so the limit reveals nothing).
    public var loginPerAccount = TokenBucketRule(capacity: 10, refillPerMinute: 10)
    /// Failed logins per account: five in a row, then one a minute. While empty even the right
    /// password is refused.
    public var loginFailuresPerAccount = TokenBucketRule(capacity: 5, refillPerMinute: 1)
    public var signupPerAddress = TokenBucketRule(capacity: 20, refillPerMinute: 10)
    public var refreshPerAddress = TokenBucketRule(capacity: 60, refillPerMinute: 60)
    /// Second-factor code attempts per account (verify-2fa, confirm, disable), on top of the
    /// five wrong codes a challenge allows.
    public var twoFactorPerAccount = TokenBucketRule(capacity: 10, refillPerMinute: 5)
    /// Emailed codes requested per account.
    public var twoFactorEmailsPerAccount = TokenBucketRule(capacity: 5, refillPerMinute: 1)

    public init() {}
}
