"""The page's opening: what a finding is, severities, exit codes, output formats, how codes are written.

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """# Diagnostics

Every finding cvmctx reports has a stable **code** (what CI matches on), a **severity**, a
**message**, usually a **hint** (the fix), a logical **path** such as `cernvm.users[2]` and, when it
came from a file, a 1-based **line** and **column**. This page lists every code cvmctx can emit:
its severity, what the guest does, and the fix.

"§" numbers link to [How the guest reads contextualization data](guest.md), which records, from
the guest's sources, how a CernVM guest reads each byte of its contextualization data.

## Severities

| severity | meaning | fails the run |
| --- | --- | --- |
| **error** | the guest fails, misreads or silently drops data: a value cut short, a plugin that crashes, a script that never runs | always |
| **warning** | it works, but not as the writer most likely meant: a plaintext password, a section whose plugin is not enabled, gzip an old guest may not unpack | only with `--strict` |
| **info** | worth knowing, nothing to fix: a random password will be set, a catalog server will be started | never |

A few codes change severity with the case; their entries below say when.

## Exit codes

The same for every command (`build`, `validate`, `iso`, `inspect`, …):

| code | meaning |
| --- | --- |
| 0 | clean: no errors (and no warnings under `--strict`) |
| 1 | findings that fail: any error, or any warning with `--strict`. `cvmctx build` and `cvmctx iso` then write nothing |
| 2 | usage or I/O error (bad flag, missing or unreadable file, `--set KEY=@FILE` with a file the key cannot take, a `--set` key or `--section`/`--set` section name the guest's reader would not read back as itself ([§2](guest.md#s2)): empty, upper case, with `:`, `=`, `]` or a line break, starting with whitespace, `#`, `;`, `[` or the word `rem`); one line on stderr, no traceback |
| 3 | internal error: a bug in cvmctx, not in the input (an image that does not read back as written, an unexpected exception). One line names the exception type and where in cvmctx it was raised, never its message (it may quote a secret); nothing is written. Report it with `cvmctx --version` and the command line; `CVMCTX_DEBUG=1` shows the traceback |
| 128+N | killed by signal N (130 for Ctrl-C); the temporary output file is removed |

`cvmctx validate` with several files exits 2 if any file could not be read, else 1 if any
file's findings fail, else 0. `--quiet` prints only the findings that fail the run (errors,
and warnings too under `--strict`; text and github formats), so a failing run always says why;
it never changes the exit code.

## Output formats

`cvmctx validate --format text|json|sarif|github` (`auto`, the default, is `github` when
`GITHUB_ACTIONS=true`, else `text`). `build` and `iso` print their findings as text on stderr.

### text

One block per finding, in file order:

```text
userdata.txt:4:23: error[ini.inline-comment] ' ;' starts a comment on the guest: everything from this ';' on is lost
    4 | proxy = http://p:3128 ;DIRECT
      |                       ^
  hint: remove the whitespace before ';' (write 'a;b'), or put the comment on its own line
2 errors, 2 warnings, 0 infos
```

A finding located in a layer inside the file says which: `image.iso[context.sh]:3:1: …`.
Secret values are masked (`********`) in the code frame.

### JSON (a public contract: fields are added, never renamed)

```json
{
  "version": 1,
  "files": [
    {
      "path": "userdata.txt",
      "layers": ["base64", "gzip", "text"],
      "findings": [
        {"code": "ini.inline-comment", "severity": "error",
         "message": "' ;' starts a comment on the guest: everything from this ';' on is lost",
         "path": "cernvm.proxy", "line": 5, "column": 22,
         "hint": "remove the whitespace before ';' (write 'a;b'), or put the comment on its own line"}
      ]
    }
  ],
  "summary": {"errors": 1, "warnings": 0, "infos": 0}
}
```

| field | meaning |
| --- | --- |
| `version` | the report format's version (1) |
| `files[].path` | the input as given (`<stdin>` for `-`) |
| `files[].layers` | the layers peeled, outermost first: `iso`, `context.sh`, `base64`, `gzip`, `text` |
| `findings[].code` | the code, as listed on this page |
| `findings[].severity` | `error`, `warning` or `info` |
| `findings[].message` | what the guest does; never holds a secret value |
| `findings[].path` | logical place (`cernvm.users[2]`, `script`, a section name) or `null` |
| `findings[].line`, `column` | 1-based position, or `null` |
| `findings[].hint` | the fix (only when there is one) |
| `findings[].source` | the layer `line`/`column` count in when it is not the user data itself, such as `context.sh` of an ISO (only when set) |
| `summary` | counts of `errors`, `warnings` and `infos` over all files |

### SARIF 2.1.0

One run, tool `cvmctx`. `tool.driver.rules` holds one rule per code found (`id` = the code,
`defaultConfiguration.level` = `error`, `warning` or `note` for info). Each finding is a
`result` with `ruleId`, `ruleIndex`, `level` (`error`, `warning`, `note`), `message.text` (the
message, then `Hint: …`), and one location: `physicalLocation.artifactLocation` (the file,
relative to `%SRCROOT%` when given relative) with a `region` (`startLine`, `startColumn`) when
the position counts in the file as stored, and `logicalLocations[].fullyQualifiedName` = the
finding's path. A position inside a peeled layer (the `context.sh` of an ISO, decoded base64 or
gzip user data) is not a region of the file: it goes to the result's
`properties.layerRegion` (`layer`, `startLine`, `startColumn`), and `properties.source` names
the layer. Each artifact lists its peeled layers in `properties.layers`; `columnKind` is
`unicodeCodePoints`.

### GitHub Actions

One workflow command per finding, then the summary line (left out with `--quiet`):

```text
::error file=userdata.txt,line=4,col=23,title=ini.inline-comment::' ;' starts a comment on the guest: everything from this ';' on is lost Hint: remove the whitespace before ';' …
```

`error` and `warning` map to `::error` and `::warning`, info to `::notice`; `title` is the code.
A position inside a peeled layer leads the message (`context.sh line 3, column 1: …`) instead
of pointing at an unrelated line of the file.

## How codes are written

- Whole codes: `ini.inline-comment`, `script.no-exit`.
- Per section: `<section>.missing-key` is reported as `dnsupdate.missing-key`,
  `noip.missing-key`, …; `condor.<key>.too-big` as `condor.highport.too-big`.
- Per value: a problem with one value is reported as `<section>.<key>.…` (the section, the key,
  then the problem), for example
  `<section>.<key>.not-base64` is reported as `cernvm.x509-cert.not-base64`. The
  [value problems](#value-problems) below list which keys can produce each.

---
"""
)
