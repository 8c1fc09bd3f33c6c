"""Generates the scanner benchmark corpus: realistic source trees with planted, format-valid fake
secrets (every rule of Keyhaven's rule file) and hard negatives, plus a labels file.

usage: corpus.py OUT_DIR --megabytes N [--seed S]

Writes OUT_DIR/tree/ (the files to scan) and OUT_DIR/labels.json:
  {"bytes": ..., "files": ..., "labels": [{"path", "start_line", "end_line", "rule"}]}
`path` is relative to OUT_DIR/tree. A finding counts as a true positive when it names a labelled
file and a line inside a label's span; anything else it reports is a false positive.

Hard negatives are planted the same way but not labelled: each rule's near miss (bad checksum,
wrong length, placeholder), provider documentation examples, environment lookups, template
variables, UUIDs, git SHAs, lockfile integrity hashes, base64 images and minified bundles.
"""
import argparse
import base64
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import secretgen  # noqa: E402

WORDS = ("user account order item payment invoice customer session request response handler client server cache "
         "queue worker config settings token password secret key value name email address status result error "
         "message event record batch report metric index schema table column query filter page limit offset "
         "retry timeout deadline context logger service manager factory builder adapter provider").split()


def ident(rng, style="snake"):
    parts = rng.sample(WORDS, rng.randint(1, 3))
    if style == "camel":
        return parts[0] + "".join(p.title() for p in parts[1:])
    if style == "pascal":
        return "".join(p.title() for p in parts)
    return "_".join(parts)


def sentence(rng, n=None):
    return " ".join(rng.choice(WORDS) for _ in range(n or rng.randint(4, 12)))


def hexs(rng, n):
    return secretgen.pick(rng, secretgen.HEX, n)


# Line makers per language. Deliberately full of words like token/password/secret/key used the
# way real code uses them, without literal secrets.
def py_line(rng):
    k = rng.randrange(16)
    a, b = ident(rng), ident(rng)
    return [
        f"def {a}(self, {b}, timeout=30):",
        f"    {a} = self.{b}.get(\"{ident(rng)}\")",
        f"    if not {a}:\n        raise ValueError(\"missing {b}\")",
        f"    logger.info(\"{sentence(rng)}: %s\", {a})",
        f"# {sentence(rng)}",
        f"    return {{\"{a}\": {b}, \"token_type\": \"bearer\", \"expires_in\": {rng.randint(60, 86400)}}}",
        f"from .{a} import {ident(rng, 'pascal')}",
        f"    password = request.form.get(\"password\")",
        f"    {a}_id = \"{secretgen.uuid(rng)}\"",
        f"    url = f\"https://api.example.com/v1/{a}/{{{b}}}\"",
        f"    secret_name = \"{a.replace('_', '-')}-credentials\"",
        f"    token = auth_header.split(\" \")[1] if auth_header else None",
        f"class {ident(rng, 'pascal')}({ident(rng, 'pascal')}):",
        f"    assert {a} == {b}, \"{sentence(rng, 5)}\"",
        f"    commit = \"{hexs(rng, 40)}\"",
        f"    api_key = os.environ.get(\"{a.upper()}_API_KEY\")",
    ][k]


def js_line(rng):
    k = rng.randrange(14)
    a, b = ident(rng, "camel"), ident(rng, "camel")
    return [
        f"export async function {a}({b}) {{",
        f"  const {a} = await fetch(`${{baseUrl}}/{b}`, {{ headers: {{ Authorization: `Bearer ${{token}}` }} }});",
        f"  if (!{a}) throw new Error('{sentence(rng, 5)}');",
        f"  // {sentence(rng)}",
        f"  return {{ ...{a}, {b}: {rng.randint(0, 999)} }};",
        f"import {{ {ident(rng, 'pascal')} }} from './{a}';",
        f"  const password = form.elements.password.value;",
        f"  const {a}Id = '{secretgen.uuid(rng)}';",
        f"}}",
        f"  setToken(response.data.accessToken);",
        f"  const apiKey = process.env.{a.upper()}_API_KEY;",
        f"  console.debug('{sentence(rng, 6)}', {a});",
        f"  const secretKey = config.get('{a}.secretKey');",
        f"  expect({a}).toEqual({b});",
    ][k]


def go_line(rng):
    k = rng.randrange(10)
    a, b = ident(rng, "camel"), ident(rng, "pascal")
    return [
        f"func ({a[0]} *{b}) {ident(rng, 'pascal')}(ctx context.Context) error {{",
        f"\t{a}, err := {a[0]}.store.Get(ctx, \"{ident(rng)}\")",
        f"\tif err != nil {{\n\t\treturn fmt.Errorf(\"{sentence(rng, 4)}: %w\", err)\n\t}}",
        f"\tPassword string `json:\"password\" yaml:\"password\"`",
        f"\tToken    string `json:\"token,omitempty\"`",
        f"// {sentence(rng)}",
        f"\treturn nil\n}}",
        f"\t{a} := os.Getenv(\"{ident(rng).upper()}_TOKEN\")",
        f"\tsum := sha256.Sum256([]byte({a}))",
        f"\tlog.Printf(\"{sentence(rng, 5)} %v\", {a})",
    ][k]


def yaml_line(rng):
    k = rng.randrange(10)
    a = ident(rng).replace("_", "-")
    return [
        f"  {a}:",
        f"    image: registry.example.com/{a}:{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        f"    password: ${{{a.upper().replace('-', '_')}_PASSWORD}}",
        f"          secretKeyRef:\n            name: {a}-secret\n            key: password",
        f"# {sentence(rng)}",
        f"    replicas: {rng.randint(1, 12)}",
        f"    token: {{{{ .Values.{ident(rng, 'camel')}.token }}}}",
        f"  - name: {a.upper().replace('-', '_')}",
        f"    checksum/config: {hexs(rng, 64)}",
        f"    url: https://{a}.svc.cluster.local:{rng.randint(1000, 9999)}/health",
    ][k]


def md_line(rng):
    k = rng.randrange(8)
    return [
        f"{sentence(rng, 14)}.",
        f"## {sentence(rng, 4).title()}",
        f"- Set `{ident(rng).upper()}_TOKEN` to your personal access token (never commit it).",
        "```bash\nexport API_KEY=<your-api-key>\n```",
        f"The password must be at least 12 characters; see the [{sentence(rng, 2)}](https://docs.example.com/{ident(rng)}).",
        "",
        f"| {ident(rng)} | {rng.randint(0, 100)} | {sentence(rng, 3)} |",
        f"Example: `curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/{ident(rng)}`",
    ][k]


def env_line(rng):
    k = rng.randrange(6)
    a = ident(rng).upper()
    return [
        f"{a}_URL=https://{ident(rng).replace('_', '-')}.internal",
        f"{a}_TOKEN=",
        f"{a}_PASSWORD=changeme",
        f"{a}_SECRET=<set-me>",
        f"# {sentence(rng)}",
        f"{a}_TIMEOUT={rng.randint(1, 120)}",
    ][k]


LANGS = {
    ".py": py_line, ".js": js_line, ".ts": js_line, ".go": go_line, ".yaml": yaml_line, ".md": md_line,
}


def lockfile(rng, nbytes):
    out = ['{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {']
    size = 0
    while size < nbytes:
        name = ident(rng).replace("_", "-")
        integrity = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()
        chunk = (f'    "node_modules/{name}": {{\n      "version": "{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",\n'
                 f'      "resolved": "https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",\n'
                 f'      "integrity": "sha512-{integrity}"\n    }},')
        out.append(chunk)
        size += len(chunk)
    out.append('    "": {}\n  }\n}')
    return out


def minified(rng, nbytes):
    parts = []
    size = 0
    while size < nbytes:
        a, b = ident(rng, "camel"), ident(rng, "camel")
        part = rng.choice([
            f"function {a}(e,t){{return e.{b}===t.token?e:null}}",
            f"var {a}={{password:e.password,token:t.token,secret:n.secret}};",
            f"{a}.apiKey=o.apiKey||\"\";",
            f"if(!{a})throw new Error(\"{sentence(rng, 3)}\");",
            f"{a}=\"{base64.b64encode(bytes(rng.getrandbits(8) for _ in range(30))).decode()}\";",
        ])
        parts.append(part)
        size += len(part)
    return ["".join(parts)]


def image_html(rng):
    blob = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(rng.randint(600, 3000)))).decode()
    return [f'<img alt="{sentence(rng, 2)}" src="data:image/png;base64,{blob}">']


def hard_negative(rng, rules):
    k = rng.randrange(25)
    if k < 20:
        rule = rng.choice([r for r in rules if not getattr(secretgen.G[r], "truncated_near_miss", False)])
        return secretgen.G[rule](rng)[2]
    return [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        f'token = "ghp_{"x" * 36}"',
        f'STRIPE_KEY = "sk_live_{"0" * 24}"',
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        f'password = "{{{{ {ident(rng)} }}}}"',
    ][k - 20]


def planted_positive(rng, rules, generic_rules):
    # One in four planted secrets is a generic assignment (the seed's API_KEY=/DB_PASSWORD=).
    rule = rng.choice(generic_rules) if rng.random() < 0.25 else rng.choice(rules)
    text, secret, _ = secretgen.G[rule](rng)
    return rule, text


def poisson(rng, mean):
    count, threshold, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = os.path.join(os.path.dirname(__file__), "../../..")
    all_rules = [r["id"] for r in json.load(open(os.path.join(root, "Sources/KeyhavenScanner/rules.json")))["rules"]]
    generic_rules = [r for r in all_rules if r.startswith("generic-")]
    provider_rules = [r for r in all_rules if r not in generic_rules]
    tree = os.path.join(args.out, "tree")
    os.makedirs(tree, exist_ok=True)
    target = int(args.megabytes * 1_000_000)
    total = 0
    files = 0
    labels = []
    repo = 0
    while total < target:
        repo += 1
        base = f"repo{repo:03d}"
        for _ in range(rng.randint(40, 120)):
            if total >= target:
                break
            kind = rng.random()
            directory = rng.choice(["src", "src/" + ident(rng), "lib", "config", "tests", "docs", "scripts", "internal/" + ident(rng)])
            if kind < 0.02:
                rel = f"{base}/package-lock.json"
                chunks = [(c, None) for c in lockfile(rng, rng.randint(50_000, 400_000))]
            elif kind < 0.04:
                rel = f"{base}/dist/{ident(rng)}.min.js"
                chunks = [(c, None) for c in minified(rng, rng.randint(20_000, 200_000))]
            elif kind < 0.06:
                rel = f"{base}/docs/{ident(rng)}.html"
                chunks = [(c, None) for _ in range(rng.randint(1, 6)) for c in image_html(rng) + [f"<p>{sentence(rng)}</p>"]]
            elif kind < 0.08:
                rel = f"{base}/{rng.choice(['', 'config/'])}.env.example"
                chunks = [(env_line(rng), None) for _ in range(rng.randint(5, 40))]
            elif kind < 0.09:
                path = os.path.join(tree, f"{base}/assets/{ident(rng)}.png")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                blob = b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(rng.getrandbits(8) for _ in range(rng.randint(2000, 20000)))
                open(path, "wb").write(blob)
                total += len(blob)
                files += 1
                continue
            else:
                ext = rng.choice(list(LANGS))
                rel = f"{base}/{directory}/{ident(rng)}{ext}"
                maker = LANGS[ext]
                chunks = [(maker(rng), None) for _ in range(rng.randint(30, 900))]
            # Plant: about one secret per 40 KB and one hard negative per 20 KB (not inside
            # lockfiles' and bundles' long lines, which are hard negatives of their own).
            size_guess = sum(len(c) + 1 for c, _ in chunks)
            if len(chunks) > 3:
                for _ in range(poisson(rng, size_guess / 40_000 + 0.1)):
                    rule, text = planted_positive(rng, provider_rules, generic_rules)
                    chunks.insert(rng.randrange(len(chunks) + 1), (text, rule))
                for _ in range(poisson(rng, size_guess / 20_000 + 0.1)):
                    chunks.insert(rng.randrange(len(chunks) + 1), (hard_negative(rng, all_rules), None))
            path = os.path.join(tree, rel)
            if os.path.exists(path):
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            line = 1
            out = []
            for text, rule in chunks:
                n = text.count("\n") + 1
                if rule:
                    labels.append({"path": rel, "start_line": line, "end_line": line + n - 1, "rule": rule})
                out.append(text)
                line += n
            data = ("\n".join(out) + "\n").encode()
            open(path, "wb").write(data)
            total += len(data)
            files += 1
    json.dump({"bytes": total, "files": files, "labels": labels}, open(os.path.join(args.out, "labels.json"), "w"))
    print(f"corpus: {files} files, {total / 1e6:.1f} MB, {len(labels)} planted secrets -> {args.out}")


if __name__ == "__main__":
    main()
