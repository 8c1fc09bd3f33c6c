"""Random, format-valid fake secrets for every Keyhaven scanner rule, and near misses.

Each generator returns (text, secret, near_miss_text): `text` is a realistic line (or block) that
contains `secret` exactly once; `near_miss_text` looks close but must not be reported by that rule.
Used by corpus.py (the benchmark corpus) and by make-fixtures.py (the per-rule test fixtures).
Nothing here is a real credential: every value is drawn from the random generator passed in.
"""
import base64
import json
import string
import zlib

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
B62 = DIGITS + UPPER + LOWER


def pick(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def b62(value, width):
    out = ""
    while value:
        out = B62[value % 62] + out
        value //= 62
    return out.rjust(width, "0")


def crc_token(rng, prefix, n=30):
    body = pick(rng, ALNUM, n)
    return prefix + body + b62(zlib.crc32(body.encode()), 6)


def uuid(rng):
    h = pick(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def password(rng, n=None, symbols="!@%^&*-_+=.?~"):
    """A strong random password; `symbols` narrows the punctuation (URLs need no escaping)."""
    n = n or rng.randint(12, 22)
    while True:
        value = pick(rng, ALNUM + symbols, n)
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value) and any(c.islower() for c in value):
            return value


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": str(rng.randint(1, 10**9)), "iat": rng.randint(1.6e9, 1.8e9), "scope": "api"}).encode())
    return f"{header}.{payload}.{pick(rng, B64URL, 43)}"


def pem_body(rng, nbytes):
    raw = bytes(rng.getrandbits(8) for _ in range(nbytes))
    text = base64.b64encode(raw).decode()
    return "\n".join(text[i:i + 64] for i in range(0, len(text), 64))


def quoted(name, value, style):
    return {
        "py": f'{name} = "{value}"',
        "js": f"const {name} = '{value}';",
        "go": f'{name} := "{value}"',
        "yaml": f"{name}: {value}",
        "env": f"{name.upper()}={value}",
        "json": f'"{name}": "{value}",',
    }[style]


def simple(prefix_fn, name="token", near=None):
    """A provider token assigned to a neutral variable; the near miss drops its last character
    unless the rule has a more meaningful one (bad checksum, placeholder, far too short)."""
    def gen(rng):
        secret = prefix_fn(rng)
        style = rng.choice(["py", "js", "go", "yaml", "env", "json"])
        var = rng.choice(["value", "cfg_value", "creds", "upstream", "client_cfg"])
        miss = near(rng) if near else secret[:-1]
        return quoted(var, secret, style), secret, quoted(var, miss, style)
    # A token one character short is a negative for the rule's exact format, but not one a
    # benchmark should hold against other scanners: the corpus leaves these out.
    gen.truncated_near_miss = near is None
    return gen


def corrupt_checksum(token):
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


G = {}
G["aws-access-key-id"] = simple(lambda r: rng_choice(r, ["AKIA", "ASIA"]) + pick(r, UPPER + "234567", 16), near=lambda r: "AKIA" + pick(r, UPPER + "234567", 12))
G["aws-secret-access-key"] = lambda r: (lambda s: (f'aws_secret_access_key = "{s}"', s, 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'))(pick(r, ALNUM + "+/", 40))
G["gcp-api-key"] = simple(lambda r: "AIza" + pick(r, B64URL, 35))
G["gcp-oauth-client-secret"] = simple(lambda r: "GOCSPX-" + pick(r, B64URL, 28))
G["azure-storage-account-key"] = lambda r: (lambda s: (f"DefaultEndpointsProtocol=https;AccountName=store{r.randint(1,99)};AccountKey={s};EndpointSuffix=core.windows.net", s, "DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=<storage-key>;EndpointSuffix=core.windows.net"))(pick(r, B64, 86) + "==")
G["azure-ad-client-secret"] = simple(lambda r: pick(r, ALNUM, 3) + str(r.randint(0, 9)) + "Q~" + pick(r, ALNUM + "_~.-", 34), near=lambda r: pick(r, ALNUM, 3) + "xQ~" + pick(r, ALNUM, 34))
G["digitalocean-token"] = simple(lambda r: rng_choice(r, ["dop", "doo", "dor"]) + "_v1_" + pick(r, HEX, 64))
G["alibaba-access-key-id"] = simple(lambda r: "LTAI" + pick(r, ALNUM, 20))
G["cloudflare-origin-ca-key"] = simple(lambda r: "v1.0-" + pick(r, HEX, 24) + "-" + pick(r, HEX, 146))
G["databricks-token"] = simple(lambda r: "dapi" + pick(r, HEX, 32), near=lambda r: "dapi" + pick(r, HEX, 30))
G["hashicorp-vault-token"] = simple(lambda r: "hvs." + pick(r, B64URL, 90), near=lambda r: "hvs." + pick(r, ALNUM, 10))
G["terraform-cloud-token"] = simple(lambda r: pick(r, ALNUM, 14) + ".atlasv1." + pick(r, ALNUM + "_=-", 67), near=lambda r: pick(r, ALNUM, 14) + ".atlasv1." + pick(r, ALNUM, 20))
G["doppler-token"] = simple(lambda r: "dp.pt." + pick(r, ALNUM, 43), near=lambda r: "dp.pt." + pick(r, ALNUM, 30))
G["pulumi-token"] = simple(lambda r: "pul-" + pick(r, HEX, 40))
G["grafana-cloud-token"] = simple(lambda r: "glc_" + pick(r, ALNUM + "+/", 120) + "==", near=lambda r: "glc_" + pick(r, ALNUM, 20))
G["grafana-service-account-token"] = simple(lambda r: "glsa_" + pick(r, ALNUM, 32) + "_" + pick(r, HEX, 8))
G["new-relic-user-key"] = simple(lambda r: "NRAK-" + pick(r, UPPER + DIGITS, 27))
G["sentry-token"] = simple(lambda r: "sntryu_" + pick(r, HEX, 64))
G["planetscale-token"] = simple(lambda r: "pscale_tkn_" + pick(r, ALNUM, 43), near=lambda r: "pscale_tkn_" + pick(r, ALNUM, 20))
G["supabase-token"] = simple(lambda r: "sbp_" + pick(r, HEX, 40))
G["heroku-api-key"] = lambda r: (lambda s: (f"HEROKU_API_KEY={s}", s, f"HEROKU_APP_ID={s}"))(uuid(r))
G["heroku-api-key-v2"] = simple(lambda r: "HRKU-" + pick(r, B64URL, 60), near=lambda r: "HRKU-" + pick(r, ALNUM, 30))
G["flyio-token"] = simple(lambda r: "fo1_" + pick(r, B64URL, 43))
G["dynatrace-token"] = simple(lambda r: "dt0c01." + pick(r, UPPER + DIGITS, 24) + "." + pick(r, UPPER + DIGITS, 64))
G["datadog-api-key"] = lambda r: (lambda s: (f"DD_API_KEY={s}", s, f"DD_SITE_KEY={s}"))(pick(r, HEX, 32))
for prefix, rid in [("ghp_", "github-pat"), ("gho_", "github-oauth-token"), ("ghu_", "github-app-user-token"), ("ghs_", "github-app-installation-token"), ("ghr_", "github-refresh-token")]:
    G[rid] = (lambda p: simple(lambda r: crc_token(r, p), near=lambda r: corrupt_checksum(crc_token(r, p))))(prefix)
G["github-fine-grained-pat"] = simple(lambda r: "github_pat_" + pick(r, ALNUM, 22) + "_" + crc_token(r, "", 53), near=lambda r: corrupt_checksum("github_pat_" + pick(r, ALNUM, 22) + "_" + crc_token(r, "", 53)))
G["gitlab-pat"] = simple(lambda r: "glpat-" + pick(r, B64URL, 20), near=lambda r: "glpat-" + pick(r, ALNUM, 12))
G["gitlab-pipeline-trigger-token"] = simple(lambda r: "glptt-" + pick(r, HEX, 40))
G["gitlab-runner-token"] = simple(lambda r: "glrt-" + pick(r, B64URL, 20), near=lambda r: "glrt-" + pick(r, ALNUM, 12))
G["gitlab-deploy-token"] = simple(lambda r: "gldt-" + pick(r, B64URL, 20), near=lambda r: "gldt-" + pick(r, ALNUM, 12))
G["atlassian-api-token"] = simple(lambda r: "ATATT3" + pick(r, B64URL + "=", 186))
G["bitbucket-app-password"] = simple(lambda r: "ATBB" + pick(r, ALNUM, 32), near=lambda r: "ATBB" + pick(r, ALNUM, 20))
G["slack-bot-token"] = simple(lambda r: f"xoxb-{pick(r, DIGITS, 12)}-{pick(r, DIGITS, 13)}-{pick(r, ALNUM, 24)}")
G["slack-user-token"] = simple(lambda r: f"xoxp-{pick(r, DIGITS, 12)}-{pick(r, DIGITS, 12)}-{pick(r, DIGITS, 13)}-{pick(r, HEX, 32)}")
G["slack-app-token"] = simple(lambda r: f"xapp-1-A{pick(r, UPPER + DIGITS, 10)}-{pick(r, DIGITS, 13)}-{pick(r, HEX, 64)}")
G["slack-legacy-token"] = simple(lambda r: f"xoxe-1-{pick(r, ALNUM, 40)}-{pick(r, ALNUM, 12)}", near=lambda r: "xoxe-1-abc")
G["slack-webhook-url"] = simple(lambda r: f"https://hooks.slack.com/services/T{pick(r, UPPER + DIGITS, 10)}/B{pick(r, UPPER + DIGITS, 10)}/{pick(r, ALNUM, 24)}", near=lambda r: f"https://hooks.slack.com/services/T{pick(r, UPPER + DIGITS, 10)}/B{pick(r, UPPER + DIGITS, 10)}/")
G["discord-webhook-url"] = simple(lambda r: f"https://discord.com/api/webhooks/{pick(r, DIGITS, 18)}/{pick(r, B64URL, 68)}", near=lambda r: f"https://discord.com/api/webhooks/{pick(r, DIGITS, 18)}/")
G["discord-bot-token"] = lambda r: (lambda s: (f'DISCORD_BOT_TOKEN = "{s}"', s, f'DISCORD_BOT_NAME = "{s}"'))(rng_choice(r, "MNO") + pick(r, ALNUM, 25) + "." + pick(r, B64URL, 6) + "." + pick(r, B64URL, 38))
G["telegram-bot-token"] = simple(lambda r: f"{pick(r, DIGITS, 10)}:AA{pick(r, B64URL, 33)}", near=lambda r: f"{pick(r, DIGITS, 10)}:AA{pick(r, ALNUM, 20)}")
G["teams-webhook-url"] = simple(lambda r: f"https://contoso.webhook.office.com/webhookb2/{uuid(r)}@{uuid(r)}/IncomingWebhook/{pick(r, HEX, 32)}/{uuid(r)}", near=lambda r: "https://contoso.webhook.office.com/webhookb2/")
G["twilio-api-key"] = lambda r: (lambda s: (f"TWILIO_AUTH_TOKEN={s}", s, f"TWILIO_ACCOUNT_SID=AC{pick(r, HEX, 32)}"))(pick(r, ALNUM, 32))
G["stripe-secret-key"] = simple(lambda r: "sk_live_" + pick(r, ALNUM, rng_choice(r, [24, 99])), near=lambda r: "sk_live_" + pick(r, ALNUM, 20))
G["stripe-test-key"] = simple(lambda r: "sk_test_" + pick(r, ALNUM, 24), near=lambda r: "sk_test_" + pick(r, ALNUM, 20))
G["stripe-webhook-secret"] = simple(lambda r: "whsec_" + pick(r, ALNUM, 32), near=lambda r: "whsec_" + pick(r, ALNUM, 20))
G["square-access-token"] = simple(lambda r: "EAAA" + pick(r, B64URL, 60))
G["square-oauth-secret"] = simple(lambda r: "sq0csp-" + pick(r, B64URL, 43))
G["braintree-access-token"] = simple(lambda r: f"access_token$production${pick(r, LOWER + DIGITS, 16)}${pick(r, HEX, 32)}")
G["shopify-token"] = simple(lambda r: rng_choice(r, ["shpat_", "shpss_"]) + pick(r, HEX, 32))
G["flutterwave-secret-key"] = simple(lambda r: "FLWSECK-" + pick(r, "abcdefgh" + DIGITS, 32) + "-X", near=lambda r: "FLWSECK-" + pick(r, "abcdefgh" + DIGITS, 32))
G["easypost-api-key"] = simple(lambda r: "EZAK" + pick(r, HEX, 54))
G["shippo-api-token"] = simple(lambda r: "shippo_live_" + pick(r, HEX, 40))
G["duffel-api-token"] = simple(lambda r: "duffel_live_" + pick(r, B64URL, 43))
G["sendgrid-api-key"] = simple(lambda r: "SG." + pick(r, B64URL, 22) + "." + pick(r, B64URL, 43))
G["mailgun-api-key"] = simple(lambda r: "key-" + pick(r, HEX, 32))
G["mailchimp-api-key"] = simple(lambda r: pick(r, HEX, 32) + "-us" + str(r.randint(1, 21)), near=lambda r: pick(r, HEX, 30) + "-us1")
G["brevo-api-key"] = simple(lambda r: "xkeysib-" + pick(r, HEX, 64) + "-" + pick(r, ALNUM, 16))
G["postmark-server-token"] = lambda r: (lambda s: (f"POSTMARK_SERVER_TOKEN={s}", s, f"POSTMARK_MESSAGE_STREAM={s}"))(uuid(r))
G["resend-api-key"] = simple(lambda r: "re_" + pick(r, ALNUM, 8) + "_" + pick(r, ALNUM, 24), near=lambda r: "re_" + pick(r, LOWER, 8))
G["openai-api-key"] = simple(lambda r: "sk-proj-" + pick(r, B64URL, 74) + "T3BlbkFJ" + pick(r, B64URL, 74), near=lambda r: "sk-proj-" + pick(r, ALNUM, 40))
G["anthropic-api-key"] = simple(lambda r: "sk-ant-api03-" + pick(r, B64URL, 93) + "AA", near=lambda r: "sk-ant-api03-" + pick(r, ALNUM, 40))
G["huggingface-token"] = simple(lambda r: "hf_" + pick(r, UPPER + LOWER, 34))
G["replicate-api-token"] = simple(lambda r: "r8_" + pick(r, ALNUM, 37))
G["groq-api-key"] = simple(lambda r: "gsk_" + pick(r, ALNUM, 52))
G["perplexity-api-key"] = simple(lambda r: "pplx-" + pick(r, ALNUM, 48))
G["xai-api-key"] = simple(lambda r: "xai-" + pick(r, ALNUM, 80))
G["npm-token"] = simple(lambda r: crc_token(r, "npm_"), near=lambda r: corrupt_checksum(crc_token(r, "npm_")))


def pypi(rng):
    # Binary macaroon v2: location "pypi.org", an identifier, caveats, end, 32-byte signature.
    identifier = bytes(rng.getrandbits(8) for _ in range(32))
    caveat = b'{"version": 1, "permissions": "user"}'
    macaroon = (bytes([2, 1, 8]) + b"pypi.org" + bytes([2, 32]) + identifier + bytes([0, 2, len(caveat)]) + caveat
                + bytes([0, 0, 6, 32]) + bytes(rng.getrandbits(8) for _ in range(32)))
    return "pypi-" + b64url(macaroon)


G["pypi-token"] = simple(pypi, near=lambda r: "pypi-AgEIcHlwaS5vcmc" + pick(r, ALNUM, 10))
G["rubygems-api-key"] = simple(lambda r: "rubygems_" + pick(r, HEX, 48))
G["nuget-api-key"] = simple(lambda r: "oy2" + pick(r, LOWER + DIGITS, 43))
G["dockerhub-pat"] = simple(lambda r: "dckr_pat_" + pick(r, B64URL, 27))
G["crates-io-token"] = simple(lambda r: "cio" + pick(r, ALNUM, 32))
G["artifactory-token"] = simple(lambda r: "AKCp" + pick(r, ALNUM, 69))
G["clojars-token"] = simple(lambda r: "CLOJARS_" + pick(r, LOWER + DIGITS, 60))
G["circleci-token"] = simple(lambda r: "CCIPAT_" + pick(r, ALNUM, 22) + "_" + pick(r, HEX, 40))
G["buildkite-token"] = simple(lambda r: "bkua_" + pick(r, HEX, 40))
G["travis-ci-token"] = lambda r: (lambda s: (f"TRAVIS_API_TOKEN={s}", s, f"TRAVIS_BUILD_ID={s}"))(pick(r, ALNUM, 22))
G["codecov-token"] = lambda r: (lambda s: (f"CODECOV_TOKEN={s}", s, f"CODECOV_FLAGS={s}"))(uuid(r))
G["sonarqube-token"] = simple(lambda r: "squ_" + pick(r, HEX, 40))
G["snyk-token"] = lambda r: (lambda s: (f"SNYK_TOKEN={s}", s, f"SNYK_ORG={s}"))(uuid(r))
G["infracost-api-key"] = simple(lambda r: "ico-" + pick(r, ALNUM, 32))
G["prefect-api-key"] = simple(lambda r: "pnu_" + pick(r, ALNUM, 36))


URL_SAFE = "-_.~+=!*"


def conn(scheme, user="app"):
    def gen(rng):
        secret = password(rng, symbols=URL_SAFE)
        host = rng.choice(["db.internal", "10.0.3.7", "prod-db.example.net", "cache"])
        return (f'DATABASE_URL = "{scheme}://{user}:{secret}@{host}:5432/app"', secret,
                f'DATABASE_URL = "{scheme}://{user}:${{DB_PASSWORD}}@{host}:5432/app"')
    return gen


G["postgres-connection-string"] = conn("postgresql")
G["mysql-connection-string"] = conn("mysql")
G["mongodb-connection-string"] = conn("mongodb+srv")
G["redis-connection-string"] = conn("redis", user="default")
G["amqp-connection-string"] = conn("amqp", user="guest")
G["jdbc-password"] = lambda r: (lambda s: (f"spring.datasource.url=jdbc:sqlserver://db:1433;databaseName=app;user=sa;password={s}", s, "spring.datasource.url=jdbc:sqlserver://db:1433;databaseName=app;integratedSecurity=true"))(password(r, symbols=URL_SAFE))
G["ado-net-connection-string"] = lambda r: (lambda s: (f'"Default": "Server=tcp:sql.internal,1433;Database=app;User ID=app;Password={s};Encrypt=True"', s, '"Default": "Server=tcp:sql.internal,1433;Database=app;Trusted_Connection=True;Encrypt=True"'))(password(r))
G["url-credentials"] = lambda r: (lambda s: (f"git clone https://deploy:{s}@git.internal.example/team/app.git", s, "git clone https://git.internal.example/team/app.git"))(password(r, symbols=URL_SAFE))


def pem(label, nbytes=1190):
    def gen(rng):
        body = pem_body(rng, nbytes)
        text = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"
        return text, body, f"-----BEGIN {label}-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n-----END {label}-----"
    return gen


G["private-key-rsa"] = pem("RSA PRIVATE KEY")
G["private-key-ec"] = pem("EC PRIVATE KEY", 121)
G["private-key-dsa"] = pem("DSA PRIVATE KEY", 443)
G["private-key-pkcs8"] = pem("PRIVATE KEY")
G["private-key-pkcs8-encrypted"] = pem("ENCRYPTED PRIVATE KEY")
G["private-key-openssh"] = pem("OPENSSH PRIVATE KEY", 400)


def pgp(rng):
    body = pem_body(rng, 900)
    return (f"-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{body}\n-----END PGP PRIVATE KEY BLOCK-----", body,
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF...\n-----END PGP PUBLIC KEY BLOCK-----")


G["private-key-pgp"] = pgp


def ssh2(rng):
    body = pem_body(rng, 600)
    return (f'---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "rsa-key"\n{body}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----', body,
            "---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n---- END SSH2 PUBLIC KEY ----")


G["private-key-ssh2"] = ssh2


def putty(rng):
    public = pem_body(rng, 270)
    private = pem_body(rng, 650)
    lines = private.count("\n") + 1
    text = (f"PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: rsa-key-20240101\nPublic-Lines: {public.count(chr(10)) + 1}\n"
            f"{public}\nPrivate-Lines: {lines}\n{private}\nPrivate-MAC: {pick(rng, HEX, 40)}")
    return text, private, "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: (example)\nPublic-Lines: 1\nAAAA"


G["private-key-putty"] = putty
G["age-secret-key"] = simple(lambda r: "AGE-SECRET-KEY-1" + pick(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58))
G["jwt"] = simple(jwt, near=lambda r: "eyJhbGciOiJub25lIn0." + b64url(b'{"sub":"1"}') + ".")
G["mapbox-secret-token"] = simple(lambda r: "sk.eyJ" + pick(r, B64URL, 60) + "." + pick(r, B64URL, 22), near=lambda r: "pk.eyJ" + pick(r, B64URL, 60) + "." + pick(r, B64URL, 22))
G["onepassword-service-account-token"] = simple(lambda r: "ops_eyJ" + pick(r, B64URL, 300), near=lambda r: "ops_eyJ" + pick(r, ALNUM, 40))
G["linear-api-key"] = simple(lambda r: "lin_api_" + pick(r, ALNUM, 40))
G["notion-token"] = simple(lambda r: "ntn_" + pick(r, DIGITS, 11) + pick(r, ALNUM, 35))
G["postman-api-key"] = simple(lambda r: "PMAK-" + pick(r, HEX, 24) + "-" + pick(r, HEX, 34))
G["figma-token"] = simple(lambda r: "figd_" + pick(r, B64URL, 40))
G["hubspot-private-app-token"] = simple(lambda r: "pat-na1-" + uuid(r))
G["okta-api-token"] = lambda r: (lambda s: (f"OKTA_API_TOKEN={s}", s, f"OKTA_ORG_URL=https://{pick(r, LOWER, 8)}.okta.com"))("00" + pick(r, B64URL, 40))
G["readme-api-key"] = simple(lambda r: "rdme_" + pick(r, LOWER + DIGITS, 70))
G["frameio-token"] = simple(lambda r: "fio-u-" + pick(r, B64URL, 64))
G["scalingo-api-token"] = simple(lambda r: "tk-us-" + pick(r, B64URL, 48))


def generic(fmt, miss):
    def gen(rng):
        # Unquoted values end at `&` (query strings), so leave it out of them.
        secret = password(rng, symbols="!@%^*-_+=.?~" if '"' not in fmt and "'" not in fmt else "!@%^&*-_+=.?~")
        return fmt.format(s=secret), secret, miss
    return gen


G["generic-password"] = lambda r: generic(r.choice(['DB_PASSWORD = "{s}"', "password: {s}", '"password": "{s}",', "db.password={s}", "SMTP_PASS={s}", "$password = '{s}';"]),
                                          r.choice(['password = os.environ["DB_PASSWORD"]', "password: ${DB_PASSWORD}", '"password": "<your-password>",', "password = get_password(user)", "PASSWORD_MIN_LENGTH=12", 'password_hash = "$2b$12$Zk3QeTq0pUu1cO9p2Qe9aO"']))(r)
G["generic-secret"] = lambda r: generic(r.choice(['client_secret = "{s}"', "CLIENT_SECRET={s}", "secret_key: {s}", '"appSecret": "{s}"']),
                                        r.choice(["client_secret = settings.CLIENT_SECRET", "secret_key: {{ vault_secret_key }}", "SECRET_KEY=changeme", '"appSecret": process.env.APP_SECRET']))(r)
G["generic-token"] = lambda r: generic(r.choice(['auth_token = "{s}"', "ACCESS_TOKEN={s}", 'apiToken: "{s}"', '"refresh_token": "{s}"']),
                                       r.choice(["auth_token = request.headers.get(\"X-Token\")", "ACCESS_TOKEN=", 'token_type: "bearer"', '"refresh_token": null']))(r)
G["generic-api-key"] = lambda r: generic(r.choice(['api_key = "{s}"', "WEATHER_API_KEY={s}", "apiKey: '{s}'", "payment.api.key={s}"]),
                                         r.choice(["api_key = config.get('api_key')", "WEATHER_API_KEY=xxxxxxxxxxxxxxxx", "apiKey: '<API_KEY>'", "api_key_header = 'X-API-Key'"]))(r)
G["generic-xml-element"] = lambda r: generic("<password>{s}</password>", "<password>${env.DB_PASSWORD}</password>")(r)
G["generic-key-value-pair"] = lambda r: generic('<add key="SmtpPassword" value="{s}" />', '<add key="SmtpPassword" value="" />')(r)
G["generic-bearer-token"] = lambda r: (lambda s: (f'curl -H "Authorization: Bearer {s}" https://api.internal/v1/items', s, 'curl -H "Authorization: Bearer $TOKEN" https://api.internal/v1/items'))(pick(r, B64URL, 40))
G["generic-basic-auth"] = lambda r: (lambda s: (f"Authorization: Basic {s}", s, "Authorization: Basic ${CREDENTIALS}"))(base64.b64encode(f"svc:{password(r)}".encode()).decode())


def rng_choice(rng, seq):
    return rng.choice(list(seq))
