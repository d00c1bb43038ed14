// Starts GraphiQL with the explorer plugin, and in development offers a demo sign-in
// that fills the Authorization header. A served file rather than an inline script, so
// the page's Content-Security-Policy can allow scripts from this origin only.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var params = new URLSearchParams(window.location.search);
  var HEADERS_KEY = "partner-center:graphiql:headers";

  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  var generation = 0;

  function storedHeaders() {
    try {
      return window.sessionStorage.getItem(HEADERS_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function render(headers) {
    generation += 1;
    root.render(
      React.createElement(GraphiQL, {
        // A new key after a sign-in mounts GraphiQL afresh: it fetches the schema
        // again, now with the Authorization header, so the docs and completion appear.
        key: "graphiql-" + generation,
        fetcher: fetcher,
        plugins: [explorer],
        defaultEditorToolsVisibility: true,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        inputValueDeprecation: true,
        headers: headers,
        defaultHeaders: headers,
        query: params.get("query") || undefined,
        onEditHeaders: function (value) {
          try {
            window.sessionStorage.setItem(HEADERS_KEY, value);
          } catch (e) {
            /* storage disabled: headers live as long as the page */
          }
        },
      }),
    );
  }

  function status(text) {
    document.querySelector("#sign-in .status").textContent = text;
  }

  function signIn(login) {
    status("signing in as " + login + "…");
    return fetch(config.signIn.token, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ login: login }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(body.error || response.statusText);
          }
          return body;
        });
      })
      .then(function (body) {
        var headers = JSON.stringify(body.headers, null, 2);
        try {
          window.sessionStorage.setItem(HEADERS_KEY, headers);
        } catch (e) {
          /* storage disabled */
        }
        status("signed in as " + body.login + " (token in the Headers tab)");
        render(headers);
      })
      .catch(function (error) {
        status("sign-in failed: " + error.message);
      });
  }

  function offerSignIn() {
    var bar = document.getElementById("sign-in");
    var select = bar.querySelector("select");
    return fetch(config.signIn.logins, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        body.logins.forEach(function (user) {
          var option = document.createElement("option");
          option.value = user.login;
          option.textContent = user.login + " — " + user.about;
          select.appendChild(option);
        });
        bar.hidden = false;
        select.addEventListener("change", function () {
          if (select.value) {
            signIn(select.value);
          }
        });
        var wanted = params.get("login");
        if (wanted) {
          select.value = wanted;
          return signIn(wanted);
        }
        return undefined;
      })
      .catch(function (error) {
        bar.hidden = false;
        status("demo logins unavailable: " + error.message);
      });
  }

  render(storedHeaders() || undefined);
  if (config.signIn) {
    offerSignIn();
  }
})();
