/*! Twitchlore <twitchlore-reading>: a lip twitch's omen and its medical counterpart, on any page.
 * One classic script, no dependencies. It talks to the Twitchlore service only: the one that
 * served this file, or the one named by the element's `api` attribute. No inline styles or
 * scripts, no eval: it runs under a strict Content-Security-Policy.
 */
(function () {
  "use strict";
  var TAG = "twitchlore-reading";
  if (!window.customElements || customElements.get(TAG)) return;

  var SIDES = ["left", "right"];
  var LIPS = ["upper", "lower"];
  var VIEWS = ["card", "full", "daily"];
  var DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  // The widget's words in every language the service speaks ({tag: {key: text}}, English
  // first), written in by the service when it starts.
  var WORDS = {};
  var LANGUAGES = Object.keys(WORDS);
  var SYMPTOM_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  var NOT_SUDDEN = ["false", "0", "no", "off"];

  // An attribute's value as the API reads it: trimmed, in any letter case (side="Left").
  function folded(element, name) {
    var value = element.getAttribute(name);
    return value === null ? null : value.trim().toLowerCase();
  }

  // The service's base URL: where this script came from, minus /widget.js or /widget/<v>.js.
  var DEFAULT_API = (function () {
    var script = document.currentScript;
    if (!script || !script.src) return location.origin;
    var url = new URL(script.src, location.href);
    var base = url.pathname.match(/^(.*?)\/widget(?:\/[^/]+)?\.js$/);
    return url.origin + (base ? base[1] : "");
  })();

  var CSS = [
    ":host{--tl-bg:var(--twitchlore-background,#fff);--tl-fg:var(--twitchlore-color,#1f1b2d);",
    "--tl-muted:var(--twitchlore-muted,#5a5569);--tl-accent:var(--twitchlore-accent,#6a3fa0);",
    "--tl-border:var(--twitchlore-border,#d8d2e5);--tl-radius:var(--twitchlore-radius,12px);",
    "--tl-alert-bg:var(--twitchlore-emergency-background,#b3261e);",
    "--tl-alert-fg:var(--twitchlore-emergency-color,#fff);",
    "display:block;box-sizing:border-box;max-width:100%;color:var(--tl-fg);",
    "font:var(--twitchlore-font,15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',",
    "'Noto Sans Devanagari','Nirmala UI',sans-serif)}",
    "@media (prefers-color-scheme:dark){:host{--tl-bg:var(--twitchlore-background,#1e1b26);",
    "--tl-fg:var(--twitchlore-color,#efebf6);--tl-muted:var(--twitchlore-muted,#bdb6cc);",
    "--tl-accent:var(--twitchlore-accent,#cfb1f7);--tl-border:var(--twitchlore-border,#3f3a4d);",
    "--tl-alert-bg:var(--twitchlore-emergency-background,#ffb4ab);",
    "--tl-alert-fg:var(--twitchlore-emergency-color,#5c0000)}}",
    ":host([hidden]){display:none}",
    "*{box-sizing:border-box}",
    ".box{background:var(--tl-bg);border:1px solid var(--tl-border);border-radius:var(--tl-radius);",
    "padding:1em;overflow-wrap:anywhere}",
    ".box+.box{margin-top:.75em}",
    "p,ul{margin:0 0 .6em}ul{padding-left:1.2em}li{margin-bottom:.3em}",
    ".alert{background:var(--tl-alert-bg);color:var(--tl-alert-fg);border-radius:calc(var(--tl-radius)*.6);",
    "padding:.75em 1em;margin-bottom:1em;font-weight:600}",
    ".alert strong{display:block;font-size:1.1em;margin-bottom:.2em}",
    ".kicker{color:var(--tl-muted);font-size:.8em;font-weight:600;letter-spacing:.04em;",
    "text-transform:uppercase;margin-bottom:.2em}",
    ".headline{font-size:1.2em;font-weight:700;line-height:1.25;margin-bottom:.4em}",
    ".emoji{margin-right:.3em}",
    ".medical{border-top:1px solid var(--tl-border);margin-top:.9em;padding-top:.8em}",
    ".medical .headline{font-size:1.05em}",
    ".urgency{display:inline-block;border:2px solid currentColor;border-radius:999px;",
    "padding:.05em .7em;font-size:.85em;font-weight:700;margin-bottom:.5em}",
    ".u-self_care{color:#1b6e3a}.u-see_doctor{color:#7a5200}.u-urgent{color:#a33a00}",
    ".u-emergency{color:#b3261e}",
    "@media (prefers-color-scheme:dark){.u-self_care{color:#8fdaa6}.u-see_doctor{color:#f2c55c}",
    ".u-urgent{color:#ffb787}.u-emergency{color:#ffb4ab}}",
    "a{color:var(--tl-accent);font-weight:600}",
    ".disclaimer{color:var(--tl-muted);font-size:.85em;margin:.8em 0 0}",
    ".credit{color:var(--tl-muted);font-size:.8em;margin:.4em 0 0}",
    ".status{color:var(--tl-muted);margin:0}",
    ".error{color:var(--tl-fg);margin:0}",
    "fieldset{border:0;padding:0;margin:0 1.2em .6em 0;display:inline-block;vertical-align:top}",
    "legend{font-weight:700;padding:0;margin-bottom:.2em}",
    "label{display:inline-flex;align-items:center;gap:.35em;margin-right:.9em;min-height:44px;",
    "cursor:pointer}",
    "input{accent-color:var(--tl-accent);width:1.15em;height:1.15em;margin:0}",
    "button{font:inherit;font-weight:700;color:var(--tl-bg);background:var(--tl-accent);border:0;",
    "border-radius:999px;padding:.55em 1.6em;min-height:44px;cursor:pointer}",
    "button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid var(--tl-accent);",
    "outline-offset:2px}",
  ].join("");

  var sheet = null;
  function adoptStyles(root) {
    // A constructed stylesheet needs no 'unsafe-inline'; older engines get a <style> element.
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      root.adoptedStyleSheets = [sheet];
    } catch (ignored) {
      root.appendChild(el("style", null, CSS));
    }
  }

  // el("p", {class: "x"}, "text", child, ...): DOM built from text nodes only, never HTML.
  function el(tag, attributes, varargs) {
    var node = document.createElement(tag);
    for (var name in attributes || {}) node.setAttribute(name, attributes[name]);
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === "") continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  // One radio button per value, each inside its label; the first is required, which makes
  // the whole group required.
  function radios(name, legend, values, texts) {
    var fieldset = el("fieldset", null, el("legend", null, legend));
    values.forEach(function (value, i) {
      var input = el("input", { type: "radio", name: name, value: value });
      input.required = i === 0;
      fieldset.appendChild(el("label", null, input, texts[i]));
    });
    return fieldset;
  }

  // The served language a tag asks for (RFC 4647 lookup: hi-IN gives hi), or null.
  function served(tag) {
    var subtags = String(tag || "").toLowerCase().replace(/_/g, "-").split("-");
    for (; subtags.length && subtags[0]; subtags.pop()) {
      if (LANGUAGES.indexOf(subtags.join("-")) >= 0) return subtags.join("-");
    }
    return null;
  }

  // The element's own lang, else the nearest lang on the page around it, else the browser's.
  function languageOf(element) {
    var marked = element.closest("[lang]");
    var wanted = [marked ? marked.getAttribute("lang") : null].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      if (served(wanted[i])) return served(wanted[i]);
    }
    return LANGUAGES[0] || "en";
  }

  // words("read") in the widget's language; words("likely_causes", {causes: "…"}) fills in.
  function wordsFor(language) {
    var table = WORDS[language] || {};
    return function (key, values) {
      return String(table[key] || key).replace(/\{([a-z_]+)\}/g, function (whole, name) {
        return values && name in values ? values[name] : whole;
      });
    };
  }

  function picker(t) {
    var sudden = el("input", { type: "checkbox", name: "sudden", value: "true" });
    return el(
      "form",
      { class: "box", part: "picker", "aria-label": t("picker_label") },
      radios("side", t("side"), SIDES, [t("left"), t("right")]),
      radios("lip", t("lip"), LIPS, [t("upper"), t("lower")]),
      el("div", null, el("label", null, sudden, t("sudden")), el("button", { type: "submit" }, t("read"))),
    );
  }

  // One shape for what a widget shows, from a card (/v1/cards) or a full reading (/v1/readings).
  // The reading's page on the service (HTML, in the widget's language), for "Full reading";
  // in a static copy (make export, ``folder``), its page there: <folder>/<lang>/readings/<id>/.
  function pageOf(api, id, symptoms, language, folder) {
    if (typeof folder === "string") return folder + "/" + language + "/readings/" + encodeURIComponent(id) + "/";
    return api + "/readings/" + encodeURIComponent(id) + "?lang=" + language + (symptoms ? "&symptoms=" + symptoms : "");
  }

  // The one-line credit of the answer's text (CC BY 4.0), in the widget's words: its name
  // links the project, its licence the licence's text; nothing when the answer has none.
  function credit(a, api, t) {
    if (!a || !a.name || !a.licence) return null;
    var project = /^https?:\/\//.test(a.url || "") ? a.url : api + (a.url || "/");
    var links = {
      name: el("a", { href: project, target: "_blank", rel: "noopener noreferrer" }, a.name),
      licence: el("a", { href: a.licence_url, target: "_blank", rel: "license noopener noreferrer" }, a.licence),
    };
    var parts = t("credit").split(/\{([a-z_]+)\}/).map(function (part, i) {
      return i % 2 ? links[part] || part : part;
    });
    return el.apply(null, ["p", { class: "credit", part: "credit" }].concat(parts));
  }

  function fromCard(card, api, symptoms, language, t, folder) {
    return {
      id: card.reading_id,
      headline: card.headline,
      sentiment: card.sentiment,
      emoji: card.emoji,
      omen: card.omen,
      medical: card.medical,
      urgency: card.urgency,
      emergency: card.when_to_call_emergency,
      href: pageOf(api, card.reading_id, symptoms, language, folder),
      disclaimer: card.disclaimer,
      credit: credit(card.attribution, api, t),
    };
  }

  function fromReading(reading, api, symptoms, language, t, folder) {
    var omen = reading.omen || {};
    var medical = reading.medical || {};
    return {
      id: reading.reading_id,
      headline: omen.headline,
      sentiment: omen.sentiment,
      omen: omen.meaning,
      beliefs: omen.beliefs || [],
      medical: medical.headline,
      explanation: medical.explanation,
      causes: (medical.likely_causes || []).map(function (cause) {
        return cause.name;
      }),
      redFlags: (medical.red_flags || []).map(function (flag) {
        return typeof flag === "string" ? flag : flag.name;
      }),
      doctor: medical.when_to_see_doctor,
      urgency: medical.urgency,
      emergency: medical.when_to_call_emergency,
      href: pageOf(api, reading.reading_id, symptoms, language, folder),
      disclaimer: reading.disclaimer,
      credit: credit(reading.attribution, api, t),
    };
  }

  function listOf(items) {
    return items.length
      ? el.apply(null, ["ul", null].concat(items.map(function (item) { return el("li", null, item); })))
      : null;
  }

  function readingView(r, full, t) {
    var emergency = r.urgency === "emergency";
    return el(
      "article",
      { class: "box", part: "reading", "data-reading": r.id || "" },
      emergency
        ? el("div", { class: "alert", role: "alert", part: "emergency" }, el("strong", null, t("emergency")), r.emergency)
        : null,
      el("p", { class: "kicker" }, t("folklore") + " · " + (r.sentiment ? t("sentiment." + r.sentiment) : t("omen"))),
      el("p", { class: "headline omen-headline" }, r.emoji ? el("span", { class: "emoji", "aria-hidden": "true" }, r.emoji) : null, r.headline),
      el("p", { class: "omen" }, r.omen),
      full
        ? listOf(r.beliefs.map(function (belief) { return (belief.tradition ? belief.tradition + ": " : "") + belief.text; }))
        : null,
      el(
        "div",
        { class: "medical" },
        el("p", { class: "kicker" }, t("medical")),
        el("span", { class: "urgency u-" + r.urgency }, t("urgency." + r.urgency)),
        el("p", { class: "headline medical-headline" }, r.medical),
        full ? el("p", null, r.explanation) : null,
        full && r.causes.length ? el("p", null, t("likely_causes", { causes: r.causes.join("; ") })) : null,
        full && r.redFlags.length ? el("p", { class: "kicker" }, t("warning_signs")) : null,
        full ? listOf(r.redFlags) : null,
        full && r.doctor ? el("p", null, el("strong", null, t("see_doctor") + " "), r.doctor) : null,
        full && !emergency && r.emergency ? el("p", null, el("strong", null, t("call_emergency") + " "), r.emergency) : null,
      ),
      el("a", { href: r.href, target: "_blank", rel: "noopener noreferrer", part: "link" }, t("full_reading")),
      el("p", { class: "disclaimer", part: "disclaimer" }, r.disclaimer),
      r.credit,
    );
  }

  // The omen of the day (/v1/daily): the featured belief, then its reading's card.
  function dailyView(day, api, language, t) {
    var belief = day.belief || {};
    return el(
      "div",
      { part: "daily", "data-date": day.date || "" },
      el(
        "article",
        { class: "box", part: "belief", "data-omen": belief.omen_id || "" },
        el("p", { class: "kicker" }, t("daily") + " · " + day.date),
        el("p", { class: "headline belief-headline" }, belief.headline),
        el("p", { class: "belief" }, belief.text),
        belief.tradition ? el("p", { class: "disclaimer" }, belief.tradition.name) : null,
      ),
      readingView(fromCard(day.card, api, "", language, t), false, t),
    );
  }

  function message(text) {
    return el("div", { class: "box", part: "error", role: "status" }, el("p", { class: "error" }, text));
  }

  function problemText(status, body, t) {
    if (body && typeof body.detail === "string") return t("failed_detail", { detail: body.detail });
    return t("failed_status", { status: status });
  }

  class TwitchloreReading extends HTMLElement {
    static get observedAttributes() {
      return ["side", "lip", "sudden", "symptoms", "api", "view", "lang", "date", "static"];
    }

    constructor() {
      super();
      this._root = this.attachShadow({ mode: "open" });
      adoptStyles(this._root);
      this._pickerSlot = this._root.appendChild(el("div"));
      this._out = this._root.appendChild(el("div", { "aria-live": "polite" }));
      this._picked = null;
      this._token = 0;
      this._queued = false;
      this._reading = null;
    }

    // The answer shown now (a card in card view, the whole reading in full view), or null
    // while none is: a script that starts listening after the twitchlore:reading event
    // reads the reading here.
    get reading() {
      return this._reading;
    }

    connectedCallback() {
      this._schedule();
    }

    disconnectedCallback() {
      if (this._abort) this._abort.abort();
    }

    attributeChangedCallback() {
      this._schedule();
    }

    // Several attribute changes in one task give one request.
    _schedule() {
      if (this._queued) return;
      this._queued = true;
      var self = this;
      queueMicrotask(function () {
        self._queued = false;
        if (self.isConnected) self._update();
      });
    }

    // Show a node; ``data`` is the answer it draws (null for a message or the picker's prompt).
    _show(node, data) {
      this._reading = data || null;
      this._out.replaceChildren(node);
    }

    _update() {
      var language = languageOf(this);
      if (language !== this._language) {
        // The picker's words change with the language: draw it anew.
        this._language = language;
        this._pickerSlot.replaceChildren();
        this._form = null;
      }
      var t = (this._t = wordsFor(language));
      var side = folded(this, "side");
      var lip = folded(this, "lip");
      var sudden = this.hasAttribute("sudden") && NOT_SUDDEN.indexOf(folded(this, "sudden")) < 0;
      var view = folded(this, "view") || "card";
      // A static copy of the service (make export) has readings and cards by id only.
      var folder = this.hasAttribute("static") ? this.getAttribute("static").trim().replace(/\/+$/, "") : null;
      if (view === "daily") {
        if (folder === null) return this._daily(t, language);
        this._showPicker(false);
        this._token++;
        return this._show(message(t("cannot_show", { problem: t("static_only_readings") })));
      }
      var picking = !side || !lip;
      this._showPicker(picking, side, lip, sudden);
      if (picking) {
        if (!this._picked) return this._show(el("p", { class: "status" }, t("choose")));
        side = this._picked.side;
        lip = this._picked.lip;
        sudden = this._picked.sudden;
      }
      var symptoms = (folded(this, "symptoms") || "")
        .split(",")
        .map(function (id) { return id.trim(); })
        .filter(Boolean);
      var wrong =
        SIDES.indexOf(side) < 0 ? t("bad_side")
        : LIPS.indexOf(lip) < 0 ? t("bad_lip")
        : VIEWS.indexOf(view) < 0 ? t("bad_view")
        : symptoms.some(function (id) { return !SYMPTOM_ID.test(id); }) ? t("bad_symptoms")
        : folder !== null && symptoms.length ? t("static_only_readings")
        : null;
      if (wrong) {
        this._token++;
        return this._show(message(t("cannot_show", { problem: wrong })));
      }
      var query = new URLSearchParams({ side: side, lip: lip, sudden: String(sudden), lang: language });
      if (symptoms.length) query.set("symptoms", symptoms.join(","));
      var path = (view === "full" ? "/v1/readings?" : "/v1/cards?") + query;
      if (folder !== null) {
        var id = side + "-" + lip + "-" + (sudden ? "sudden" : "gradual");
        path = "/" + language + (view === "full" ? "/v1/readings/" : "/v1/cards/") + id + ".json";
      }
      this._load(path, function (data, api) {
        return view === "full"
          ? readingView(fromReading(data, api, symptoms.join(","), language, t, folder), true, t)
          : readingView(fromCard(data, api, symptoms.join(","), language, t, folder), false, t);
      });
    }

    // view="daily": the omen of the day, or of the day the date attribute names.
    _daily(t, language) {
      this._showPicker(false);
      var date = folded(this, "date");
      if (date !== null && !DATE.test(date)) {
        this._token++;
        return this._show(message(t("cannot_show", { problem: t("bad_date") })));
      }
      var query = new URLSearchParams({ lang: language });
      if (date) query.set("date", date);
      this._load("/v1/daily?" + query, function (data, api) {
        return dailyView(data, api, language, t);
      });
    }

    _showPicker(picking, side, lip, sudden) {
      if (!picking) {
        this._pickerSlot.replaceChildren();
        this._form = null;
        return;
      }
      if (this._form) return;
      var form = (this._form = picker(this._t));
      var self = this;
      if (SIDES.indexOf(side) >= 0) form.elements.side.value = side;
      if (LIPS.indexOf(lip) >= 0) form.elements.lip.value = lip;
      form.elements.sudden.checked = sudden;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        self._picked = {
          side: form.elements.side.value,
          lip: form.elements.lip.value,
          sudden: form.elements.sudden.checked,
        };
        self._update();
      });
      this._pickerSlot.replaceChildren(form);
    }

    // Fetch ``path`` from the service and show what ``draw(answer, api)`` makes of it.
    // ``base`` is a static copy's address, which then stands in for the service's.
    _load(path, draw, base) {
      var api = typeof base === "string" ? base : (this.getAttribute("api") || DEFAULT_API).replace(/\/+$/, "");
      var t = this._t;
      var url = api + path;
      var token = ++this._token;
      var self = this;
      if (this._abort) this._abort.abort();
      var abort = (this._abort = new AbortController());
      this._out.setAttribute("aria-busy", "true");
      if (!this._out.firstChild || this._out.firstChild.nodeName === "P") {
        this._show(el("p", { class: "status" }, t("loading")));
      }
      fetch(url, { headers: { Accept: "application/json" }, credentials: "omit", signal: abort.signal })
        .then(function (response) {
          return response.json().then(
            function (body) { return { response: response, body: body }; },
            function () { return { response: response, body: null }; },
          );
        })
        .then(
          function (answer) {
            if (token !== self._token) return;
            if (!answer.response.ok || !answer.body) {
              return self._show(message(problemText(answer.response.status, answer.body, t)));
            }
            var data = answer.body;
            self._show(draw(data, api), data);
            self.dispatchEvent(
              new CustomEvent("twitchlore:reading", { bubbles: true, composed: true, detail: data }),
            );
          },
          function (error) {
            if (token !== self._token || (error && error.name === "AbortError")) return;
            self._show(message(t("unreachable")));
          },
        )
        .catch(function (error) {
          // The answer had a shape this version cannot draw: say so, never leave a blank box.
          if (token === self._token) self._show(message(t("unshowable")));
          if (window.console) console.warn("twitchlore-reading:", error);
        })
        .finally(function () {
          if (token === self._token) self._out.removeAttribute("aria-busy");
        });
    }
  }

  customElements.define(TAG, TwitchloreReading);
})();
