import Mustache

/// The board's pages as Mustache templates, compiled into the binary (no files to ship:
/// `make install` stays one file). `{{…}}` escapes HTML; the one value rendered unescaped
/// is the board's grid, which `BoardGrid` writes with every value escaped.
enum BoardTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            // The templates are part of the program: one that does not parse is a build bug.
            try! library.register(text, named: name)
        }
        return library
    }()

    static func render(_ context: [String: Any], _ name: String) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    static let templates: [String: String] = [
        "head": """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · Hangar</title><link rel="stylesheet" href="/ui/assets/board.css"></head>
            <body><header class="top"><a class="brand" href="/ui/">Hangar</a>
            <nav aria-label="Main"><a href="/ui/">Projects</a>{{#mayAudit}} <a href="/ui/audit">Audit log</a>{{/mayAudit}}</nav>
            {{#signedIn}}<form class="signout" method="post" action="/ui/logout"><input type="hidden" name="csrf" value="{{csrf}}">
            <span data-testid="who">{{who}} ({{role}})</span> <button type="submit">Sign out</button></form>{{/signedIn}}
            {{^signedIn}}<a class="signin" href="/ui/login">Sign in</a>{{/signedIn}}
            </header><main id="main">
            {{#notice}}<p class="flash" role="status" data-testid="notice">{{.}}</p>{{/notice}}
            """,
        "foot": """
            </main><script src="/ui/assets/board.js" defer></script></body></html>
            """,
        "error": """
            {{> head}}<h1>{{heading}}</h1><p class="flash error" role="alert" data-testid="error">{{message}}</p>
            <p><a href="{{back}}">Back</a></p>{{> foot}}
            """,
        "login": """
            {{> head}}<h1>Sign in</h1>
            {{#error}}<p class="flash error" role="alert" data-testid="error">{{.}}</p>{{/error}}
            <form method="post" action="/ui/login" class="login">
            <label for="token">API token</label>
            <input id="token" name="token" type="password" autocomplete="off" required placeholder="hgr_…">
            <button type="submit">Sign in</button></form>
            <p class="muted">A token from <code>hangar token create</code>. It is kept in an HttpOnly session cookie of this browser until you sign out.</p>
            {{> foot}}
            """,
        "projects": """
            {{> head}}<h1>Projects</h1>
            <ul class="projects">{{#projects}}<li><a href="{{url}}">{{name}}</a> <span class="muted">{{mode}}</span></li>{{/projects}}</ul>
            {{^projects}}<p>No projects yet: <code>hangar project create acme/app</code>.</p>{{/projects}}
            {{> foot}}
            """,
        "board": """
            {{> head}}<h1>{{project}} <span class="muted">release board</span></h1>
            <form class="filters" method="get" action="{{boardURL}}">
            <label for="version">Version</label>
            <select id="version" name="version"><option value="">all</option>{{#versions}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/versions}}</select>
            <label><input type="checkbox" name="running" value="1"{{#runningOnly}} checked{{/runningOnly}}> only what runs somewhere</label>
            {{#limit}}<input type="hidden" name="limit" value="{{.}}">{{/limit}}<button type="submit">Filter</button> <a href="{{historyURL}}">History</a></form>
            {{{grid}}}
            {{> foot}}
            """,
        "confirm": """
            {{> head}}<h1>{{heading}}</h1>
            <p class="lead" data-testid="move">{{env}}: <strong>{{fromTag}}</strong> → <strong>{{toTag}}</strong></p>
            {{#blocked}}<div class="blocked" role="alert"><p>The policy of {{env}} refuses this move now:</p><ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul>
            {{^mayForce}}<p>Only an admin can force it, with a reason.</p>{{/mayForce}}</div>{{/blocked}}
            {{#canSubmit}}<form method="post" action="{{action}}" class="confirm">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="ref" value="{{ref}}"><input type="hidden" name="env" value="{{env}}">
            {{#blocked}}<input type="hidden" name="force" value="1"><label for="reason">Reason for forcing (recorded in the audit log)</label>
            <textarea id="reason" name="reason" required rows="3"></textarea>{{/blocked}}
            <button type="submit" data-testid="confirm">{{verb}}</button> <a href="{{back}}">Cancel</a></form>{{/canSubmit}}
            {{^canSubmit}}<p><a href="{{back}}">Back to the board</a></p>{{/canSubmit}}
            {{> foot}}
            """,
        "candidate": """
            {{> head}}<h1>{{project}} {{tag}}</h1>
            <dl class="facts"><dt>Digest</dt><dd><code>{{digest}}</code></dd>
            <dt>Commit</dt><dd>{{#commitURL}}<a href="{{commitURL}}"><code>{{commit}}</code></a>{{/commitURL}}{{^commitURL}}<code>{{commit}}</code>{{/commitURL}}</dd>
            <dt>Created</dt><dd>{{created}} by {{createdBy}}</dd>
            <dt>Lineage</dt><dd class="lineage">{{#lineage}}<a href="{{url}}"{{#this}} aria-current="page" class="this"{{/this}}>{{tag}}</a>{{^last}} → {{/last}}{{/lineage}}</dd>
            {{#cherryPicks}}<dt>Cherry-picks</dt><dd><code>{{.}}</code></dd>{{/cherryPicks}}
            <dt>Runs in</dt><dd data-testid="runs-in">{{runningIn}}</dd>
            <dt>Signatures</dt><dd class="{{signatureClass}}">{{signature}}</dd></dl>
            <h2>Artifacts</h2><table><thead><tr><th scope="col">Name</th><th scope="col">Digest</th><th scope="col">Size</th><th scope="col">Type</th></tr></thead>
            <tbody>{{#artifacts}}<tr><td>{{name}}</td><td><code>{{digest}}</code></td><td>{{size}}</td><td class="small">{{mediaType}}</td></tr>{{/artifacts}}</tbody></table>
            {{#changes}}<h2>Changes since {{since}}</h2><ul class="commits">{{#commits}}<li><code>{{short}}</code> {{subject}}</li>{{/commits}}</ul>{{/changes}}
            {{#diffs}}<h2>Against {{label}} ({{other}})</h2><table><thead><tr><th scope="col">Artifact</th><th scope="col">Change</th></tr></thead>
            <tbody>{{#artifacts}}<tr><td>{{name}}</td><td class="{{change}}">{{change}}</td></tr>{{/artifacts}}</tbody></table>{{/diffs}}
            <h2>Where it ran</h2><table><thead><tr><th scope="col">When</th><th scope="col">Environment</th><th scope="col">Move</th><th scope="col">By</th></tr></thead>
            <tbody>{{#moves}}<tr><td>{{at}}</td><td>{{env}}</td><td>{{kind}}</td><td>{{actor}}</td></tr>{{/moves}}</tbody></table>
            {{^moves}}<p>Never deployed.</p>{{/moves}}
            <h2>Approvals</h2>{{#approvals}}<p>{{env}}: {{actor}} at {{at}}</p>{{/approvals}}{{^approvals}}<p>None.</p>{{/approvals}}
            <p><a href="{{boardURL}}">Back to the board</a></p>{{> foot}}
            """,
        "history": """
            {{> head}}<h1>{{project}} <span class="muted">history</span></h1>
            <form class="filters" method="get" action="{{historyURL}}"><label for="env">Environment</label>
            <select id="env" name="env"><option value="">all</option>{{#environments}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/environments}}</select>
            <label for="at">What ran at</label><input id="at" name="at" value="{{at}}" placeholder="2026-11-26T18:33:22Z">
            <button type="submit">Show</button> <a href="{{boardURL}}">Board</a></form>
            {{#atAnswer}}<p class="lead" data-testid="at-answer">{{.}}</p>{{/atAnswer}}
            <table class="history"><thead><tr><th scope="col">When</th><th scope="col">Environment</th><th scope="col">Move</th><th scope="col">From</th><th scope="col">To</th><th scope="col">By</th><th scope="col">Why</th><th scope="col">Agents</th></tr></thead>
            <tbody>{{#moves}}<tr data-testid="move-row"><td>{{at}}</td><td>{{env}}</td><td>{{kind}}</td><td>{{from}}</td><td>{{to}}</td><td>{{actor}}</td><td>{{reason}}</td><td>{{reports}}</td></tr>{{/moves}}</tbody></table>
            {{^moves}}<p>No moves yet.</p>{{/moves}}{{> foot}}
            """,
        "audit": """
            {{> head}}<h1>Audit log</h1>
            {{#checkpoint}}<p>Latest checkpoint: size <strong>{{size}}</strong>, root <code>{{root}}</code>, signed {{time}} ({{origin}}).</p>{{/checkpoint}}
            {{#verification}}<p class="flash {{class}}" role="status" data-testid="verify">{{text}}</p>{{/verification}}
            {{^verification}}<form method="get" action="/ui/audit"><input type="hidden" name="verify" value="1"><button type="submit">Verify the whole log now</button></form>{{/verification}}
            <table><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Project</th><th scope="col">Subject</th></tr></thead>
            <tbody>{{#entries}}<tr><td>{{seq}}</td><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{project}}</td><td class="small">{{subject}}</td></tr>{{/entries}}</tbody></table>
            <p>{{#newer}}<a href="{{.}}">Newer entries →</a>{{/newer}}</p>{{> foot}}
            """,
    ]
}
