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
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT,
                    event TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    ip TEXT NOT NULL,
                    user_agent TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX audit_events_user ON audit_events (user_id, seq);
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
        Migration(
            version: 4, name: "create_vaults_and_items",
            sql: """
                CREATE TABLE user_keys (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    key_id TEXT NOT NULL,
                    wrapped_key BYTEA NOT NULL,
                    kdf_salt BYTEA NOT NULL,
                    created_at BIGINT NOT NULL
                );
                CREATE INDEX user_keys_key ON user_keys (key_id);
                CREATE TABLE vaults (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    encryption TEXT NOT NULL,
                    sealed_name BYTEA NOT NULL,
                    sealed_wrapped_key BYTEA,
                    is_default BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                );
                CREATE INDEX vaults_user ON vaults (user_id, created_at);
                CREATE TABLE items (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    vault_id TEXT NOT NULL REFERENCES vaults (id) ON DELETE CASCADE,
                    version BIGINT NOT NULL,
                    sealed_payload BYTEA NOT NULL,
                    password_fingerprint TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                );
                CREATE INDEX items_user_seq ON items (user_id, seq);
                CREATE INDEX items_vault_seq ON items (vault_id, seq);
                """),
        Migration(
            version: 5, name: "create_notifications",
            sql: """
                CREATE TABLE notifications (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    read_at BIGINT
                );
                CREATE INDEX notifications_user ON notifications (user_id, seq);
                CREATE TABLE notification_settings (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    muted_email_kinds TEXT NOT NULL,
                    updated_at BIGINT NOT NULL
                );
                """),
        Migration(
            version: 6, name: "create_outbox",
            sql: """
                CREATE TABLE outbox (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    to_address TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    attempts BIGINT NOT NULL,
                    next_attempt_at BIGINT NOT NULL,
                    locked_until BIGINT,
                    sent_at BIGINT,
                    last_error TEXT
                );
                CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
                """),
        Migration(
            version: 7, name: "create_github",
            sql: """
                CREATE TABLE github_links (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    github_id BIGINT NOT NULL UNIQUE,
                    login TEXT NOT NULL,
                    sealed_token BYTEA NOT NULL,
                    broken BIGINT NOT NULL,
                    linked_at BIGINT NOT NULL
                );
                CREATE TABLE oauth_flows (
                    state_hash TEXT PRIMARY KEY,
                    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
                    expires_at BIGINT NOT NULL
                );
                CREATE TABLE oauth_handoffs (
                    code_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    action TEXT NOT NULL,
                    expires_at BIGINT NOT NULL
                );
                CREATE TABLE scan_jobs (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    repositories TEXT NOT NULL,
                    progress TEXT NOT NULL,
                    new_findings BIGINT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    attempts BIGINT NOT NULL,
                    locked_until BIGINT,
                    created_at BIGINT NOT NULL,
                    started_at BIGINT,
                    finished_at BIGINT
                );
                CREATE INDEX scan_jobs_status ON scan_jobs (status, seq);
                CREATE INDEX scan_jobs_user ON scan_jobs (user_id, seq);
                CREATE TABLE scanned_blobs (
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    blob_sha TEXT NOT NULL,
                    rules_version TEXT NOT NULL,
                    results TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (user_id, blob_sha, rules_version)
                );
                CREATE TABLE secret_findings (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    repository TEXT NOT NULL,
                    path TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    line BIGINT NOT NULL,
                    description TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    redacted TEXT NOT NULL,
                    commit_sha TEXT NOT NULL,
                    status TEXT NOT NULL,
                    matches_vault_item TEXT,
                    first_seen_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL,
                    last_scan_id TEXT NOT NULL,
                    UNIQUE (user_id, repository, path, rule_id, fingerprint)
                );
                CREATE INDEX secret_findings_user ON secret_findings (user_id, seq);
                """),
        Migration(
            version: 8, name: "create_health_digests",
            sql: """
                CREATE TABLE health_digests (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    dirty BIGINT NOT NULL,
                    report_hash TEXT,
                    last_sent_at BIGINT
                );
                """),
    ]
}
