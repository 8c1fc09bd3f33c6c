/// SQLite schema history. Never edit a released migration; add a new one.
enum SQLiteMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "create_users",
            sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE UNIQUE INDEX users_email_key ON users (email_key);
                """),
        Migration(
            version: 2, name: "create_sessions_audit_rate_limits",
            sql: """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    last_used_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER,
                    ip TEXT NOT NULL,
                    user_agent TEXT NOT NULL
                ) STRICT;
                CREATE INDEX sessions_user ON sessions (user_id, created_at);
                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    spent_at INTEGER
                ) STRICT;
                CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
                CREATE TABLE audit_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT,
                    event TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    ip TEXT NOT NULL,
                    user_agent TEXT NOT NULL,
                    detail TEXT
                ) STRICT;
                CREATE INDEX audit_events_user ON audit_events (user_id, seq);
                CREATE TABLE rate_limits (
                    key TEXT PRIMARY KEY,
                    tokens_milli INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                ) STRICT;
                """),
        Migration(
            version: 3, name: "create_two_factor",
            sql: """
                CREATE TABLE two_factor (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    method TEXT NOT NULL,
                    enabled INTEGER NOT NULL,
                    secret BLOB,
                    secret_key_id TEXT,
                    last_step INTEGER,
                    created_at INTEGER NOT NULL,
                    confirmed_at INTEGER
                ) STRICT;
                CREATE TABLE recovery_codes (
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    code_hash TEXT NOT NULL,
                    used_at INTEGER,
                    PRIMARY KEY (user_id, code_hash)
                ) STRICT;
                CREATE TABLE email_codes (
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    purpose TEXT NOT NULL,
                    code_hash TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    PRIMARY KEY (user_id, purpose)
                ) STRICT;
                CREATE TABLE login_challenges (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    failed_attempts INTEGER NOT NULL,
                    used_at INTEGER
                ) STRICT;
                CREATE INDEX login_challenges_user ON login_challenges (user_id);
                """),
        Migration(
            version: 4, name: "create_vaults_and_items",
            sql: """
                CREATE TABLE user_keys (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    key_id TEXT NOT NULL,
                    wrapped_key BLOB NOT NULL,
                    kdf_salt BLOB NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX user_keys_key ON user_keys (key_id);
                CREATE TABLE vaults (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    encryption TEXT NOT NULL,
                    sealed_name BLOB NOT NULL,
                    sealed_wrapped_key BLOB,
                    is_default INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX vaults_user ON vaults (user_id, created_at);
                CREATE TABLE items (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    vault_id TEXT NOT NULL REFERENCES vaults (id) ON DELETE CASCADE,
                    version INTEGER NOT NULL,
                    sealed_payload BLOB NOT NULL,
                    password_fingerprint TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX items_user_seq ON items (user_id, seq);
                CREATE INDEX items_vault_seq ON items (vault_id, seq);
                """),
        Migration(
            version: 5, name: "create_notifications",
            sql: """
                CREATE TABLE notifications (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    read_at INTEGER
                ) STRICT;
                CREATE INDEX notifications_user ON notifications (user_id, seq);
                CREATE TABLE notification_settings (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    muted_email_kinds TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                """),
        Migration(
            version: 6, name: "create_outbox",
            sql: """
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    to_address TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at INTEGER NOT NULL,
                    locked_until INTEGER,
                    sent_at INTEGER,
                    last_error TEXT
                ) STRICT;
                CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
                """),
        Migration(
            version: 7, name: "create_github",
            sql: """
                CREATE TABLE github_links (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    github_id INTEGER NOT NULL UNIQUE,
                    login TEXT NOT NULL,
                    sealed_token BLOB NOT NULL,
                    broken INTEGER NOT NULL,
                    linked_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE oauth_flows (
                    state_hash TEXT PRIMARY KEY,
                    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
                    expires_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE oauth_handoffs (
                    code_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    action TEXT NOT NULL,
                    expires_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE scan_jobs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    repositories TEXT NOT NULL,
                    progress TEXT NOT NULL,
                    new_findings INTEGER NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    attempts INTEGER NOT NULL,
                    locked_until INTEGER,
                    created_at INTEGER NOT NULL,
                    started_at INTEGER,
                    finished_at INTEGER
                ) STRICT;
                CREATE INDEX scan_jobs_status ON scan_jobs (status, seq);
                CREATE INDEX scan_jobs_user ON scan_jobs (user_id, seq);
                CREATE TABLE scanned_blobs (
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    blob_sha TEXT NOT NULL,
                    rules_version TEXT NOT NULL,
                    results TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, blob_sha, rules_version)
                ) STRICT;
                CREATE TABLE secret_findings (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    repository TEXT NOT NULL,
                    path TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    description TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    redacted TEXT NOT NULL,
                    commit_sha TEXT NOT NULL,
                    status TEXT NOT NULL,
                    matches_vault_item TEXT,
                    first_seen_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    last_scan_id TEXT NOT NULL,
                    UNIQUE (user_id, repository, path, rule_id, fingerprint)
                ) STRICT;
                CREATE INDEX secret_findings_user ON secret_findings (user_id, seq);
                """),
        Migration(
            version: 8, name: "create_health_digests",
            sql: """
                CREATE TABLE health_digests (
                    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    dirty INTEGER NOT NULL,
                    report_hash TEXT,
                    last_sent_at INTEGER
                ) STRICT;
                """),
    ]
}
