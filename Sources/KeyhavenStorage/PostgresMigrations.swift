/// PostgreSQL schema history. Never edit a released migration; add a new one.
enum PostgresMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "create_users",
            sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                );
                CREATE UNIQUE INDEX users_email_key ON users (email_key);
                """),
        Migration(
            version: 2, name: "create_sessions_audit_rate_limits",
            sql: """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    last_used_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT,
                    ip TEXT NOT NULL,
                    user_agent TEXT NOT NULL
                );
                CREATE INDEX sessions_user ON sessions (user_id, created_at);
                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    spent_at BIGINT
                );
                CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
                CREATE TABLE audit_events (
                    id TEXT PRIMARY KEY,
                    user_id TEXT,
                    event TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    ip TEXT NOT NULL,
                    user_agent TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX audit_events_user ON audit_events (user_id, created_at);
                CREATE TABLE rate_limits (
                    key TEXT PRIMARY KEY,
                    tokens_milli BIGINT NOT NULL,
                    updated_at_ms BIGINT NOT NULL
                );
                """),
        Migration(
            version: 3, name: "create_two_factor",
            sql: """
                CREATE TABLE two_factor (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    method TEXT NOT NULL,
                    enabled BIGINT NOT NULL,
                    secret BYTEA,
                    secret_key_id TEXT,
                    last_step BIGINT,
                    created_at BIGINT NOT NULL,
                    confirmed_at BIGINT
                );
                CREATE TABLE recovery_codes (
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    code_hash TEXT NOT NULL,
                    used_at BIGINT,
                    PRIMARY KEY (user_id, code_hash)
                );
                CREATE TABLE email_codes (
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    purpose TEXT NOT NULL,
                    code_hash TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    attempts BIGINT NOT NULL,
                    PRIMARY KEY (user_id, purpose)
                );
                CREATE TABLE login_challenges (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    failed_attempts BIGINT NOT NULL,
                    used_at BIGINT
                );
                CREATE INDEX login_challenges_user ON login_challenges (user_id);
                """),
    ]
}
