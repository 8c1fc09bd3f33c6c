/// PostgreSQL schema history. Never edit a released migration; add a new one.
enum PostgresMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "create_users",
            sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                );
                CREATE UNIQUE INDEX users_email ON users (email);
                """)
    ]
}
