/// SQLite schema history. Never edit a released migration; add a new one.
enum SQLiteMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "create_users",
            sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE UNIQUE INDEX users_email ON users (email);
                """)
    ]
}
