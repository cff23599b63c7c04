// The host helpers of loader/host.js that need no page, in Node (`node
// --test loader/`): built from the same files the loader inlines.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");

const read = (f) => fs.readFileSync(`${__dirname}/${f}`, "utf8");
const host = new Function(`${read("host.js")}\n${read("delivery.js")}\n${read("session.js")}\nreturn host(console);`)();

test("consent decisions: ours and gtag's, explicit or by default; anything else is none", () => {
  const GRANTED = 1, EXPLICIT = 2;
  assert.equal(host.decision({ consent: "granted" }), GRANTED + EXPLICIT);
  assert.equal(host.decision({ consent: "denied" }), EXPLICIT);
  // gtag('consent', kind, {...}) pushes its arguments object.
  const gtag = function () { return arguments };
  assert.equal(host.decision(gtag("consent", "update", { analytics_storage: "granted" })), GRANTED + EXPLICIT);
  assert.equal(host.decision(gtag("consent", "update", { analytics_storage: "denied" })), EXPLICIT);
  assert.equal(host.decision(gtag("consent", "default", { analytics_storage: "denied" })), 0, "a default denial only holds");
  assert.equal(host.decision(gtag("consent", "default", { analytics_storage: "granted" })), GRANTED);
  const throwing = { get consent() { throw Error("page getter") } };
  const nones = [null, undefined, "consent", 7, {}, { consent: "maybe" }, { consent: true }, { event: "x" },
    gtag("consent", "update"), gtag("consent", "update", { ad_storage: "granted" }), gtag("config", "G-1"),
    gtag("consent", 1, { analytics_storage: "granted" }), ["consent", "update", "granted"], throwing];
  nones.forEach((none, i) => assert.equal(host.decision(none), -1, `item ${i}`));
});
