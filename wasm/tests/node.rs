//! The JS API under node (wasm-bindgen-test): every export, bad input, and a panic-free run over
//! ../shared/corpus read through node's fs.
#![cfg(target_arch = "wasm32")]

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen(module = "fs")]
extern "C" {
    #[wasm_bindgen(catch, js_name = readFileSync)]
    fn read_file_sync(path: &str, encoding: &str) -> Result<String, JsValue>;
}

/// Plain JS objects, as JavaScript callers pass them (not `Map`s).
fn js(v: &Value) -> JsValue {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap()
}

fn rs(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).unwrap()
}

fn files(text: &str) -> JsValue {
    js(&json!([{ "path": "/etc/nginx/nginx.conf", "text": text }]))
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(ngxlint_wasm::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn analyze_reports_nginx_messages_with_utf16_positions() {
    let r = rs(ngxlint_wasm::analyze(files("# é😀\nevents {}\nfoo bar;\n"), JsValue::UNDEFINED).unwrap());
    let d = r["diagnostics"].as_array().unwrap().iter().find(|d| d["severity"] == "error").unwrap();
    assert_eq!(d["message"], "unknown directive \"foo\"");
    assert_eq!(d["severity"], "error");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(1)));
    assert_eq!(d["from"].as_u64(), Some(6 + 10));
    assert_eq!(r["errors"], 1);
}

#[wasm_bindgen_test]
fn analyze_follows_includes_and_options() {
    let fs = js(&json!([
        { "path": "/e/nginx.conf", "text": "events {}\nhttp { include conf.d/*.conf; }\n" },
        { "path": "/e/conf.d/a.conf", "text": "server { listen 80; http2 on; }\n" }
    ]));
    let old = rs(ngxlint_wasm::analyze(fs.clone(), js(&json!({ "nginxVersion": "1.22" }))).unwrap());
    let first_error = old["diagnostics"].as_array().unwrap().iter().find(|d| d["severity"] == "error").unwrap().clone();
    assert_eq!(first_error["message"], "unknown directive \"http2\"");
    assert_eq!(first_error["file"], "/e/conf.d/a.conf");
    let new = rs(ngxlint_wasm::analyze(fs, js(&json!({ "nginxVersion": "latest" }))).unwrap());
    assert_eq!(new["errors"], 0);
    assert_eq!(new["files"].as_array().unwrap().len(), 2);
}

#[wasm_bindgen_test]
fn bad_options_throw_and_bad_configs_do_not() {
    assert!(ngxlint_wasm::analyze(files("x;"), js(&json!({ "nginxVersion": "0.9" }))).is_err());
    assert!(ngxlint_wasm::analyze(files("x;"), js(&json!({ "unknownOption": true }))).is_err());
    assert!(ngxlint_wasm::analyze(js(&json!("not files")), JsValue::UNDEFINED).is_err());
    assert!(ngxlint_wasm::format("x;", js(&json!({ "indent": 99 }))).is_err());
    let r = rs(ngxlint_wasm::analyze(files("}}}{{{\"\u{0}"), JsValue::NULL).unwrap());
    assert!(r["errors"].as_u64().unwrap() >= 1);
}

#[wasm_bindgen_test]
fn parse_returns_tree_and_crossplane() {
    let r = rs(ngxlint_wasm::parse("events {}\nhttp { if ($a) { return 204; } }\n", JsValue::UNDEFINED).unwrap());
    assert_eq!(r["crossplane"]["status"], "ok");
    let http = &r["crossplane"]["config"][0]["parsed"][1];
    assert_eq!(http["directive"], "http");
    assert_eq!(http["block"][0]["args"], json!(["$a"]));
    assert_eq!(r["tree"]["version"], 1);
    let bad = rs(ngxlint_wasm::parse("http {", JsValue::UNDEFINED).unwrap());
    assert_eq!(bad["diagnostics"][0]["message"], "unexpected end of file, expecting \"}\"");
}

#[wasm_bindgen_test]
fn format_formats_or_refuses() {
    let r = rs(ngxlint_wasm::format("http{server{listen 80;}}", JsValue::UNDEFINED).unwrap());
    assert_eq!(r["formatted"], "http {\n    server {\n        listen 80;\n    }\n}\n");
    assert_eq!(r["changed"], true);
    let r = rs(ngxlint_wasm::format("http{", JsValue::UNDEFINED).unwrap());
    assert_eq!(r["formatted"], Value::Null);
}

#[wasm_bindgen_test]
fn route_answers_server_and_location() {
    let conf = "events {}\nhttp { server { listen 80; server_name a.test; location / { } location ^~ /img/ { } } }\n";
    let r = rs(ngxlint_wasm::route(files(conf), js(&json!({ "host": "a.test", "uri": "/img/x.png" })), JsValue::UNDEFINED).unwrap());
    assert_eq!(r["serverMatch"], "exact_name");
    assert_eq!(r["locations"][0]["label"], "location ^~ /img/");
    assert!(ngxlint_wasm::route(files(conf), js(&json!({ "uri": "/" })), JsValue::UNDEFINED).is_err());
}

#[wasm_bindgen_test]
fn compare_scores_a_moved_port_and_passes_a_reformat() {
    let before = "events {}\nhttp { server { listen 80; server_name a.test; location / { root /srv; } } }\n";
    let moved = rs(ngxlint_wasm::compare(files(before), files(&before.replace("listen 80", "listen 8080")), JsValue::UNDEFINED).unwrap());
    assert_eq!(moved["report"]["version"], 1);
    assert_eq!(moved["report"]["level"], "critical");
    assert_eq!(moved["report"]["findings"][0]["rule"], "listen-removed");
    assert!(moved["report"]["changes"][0]["after_at"]["offset_utf16"].is_u64());
    let same = rs(ngxlint_wasm::compare(files(before), files(&before.replace(' ', "  ")), JsValue::UNDEFINED).unwrap());
    assert_eq!((same["report"]["score"].as_u64(), same["report"]["level"].as_str()), (Some(0), Some("low")));
    // Fleet targets and strict options.
    let http2 = before.replace("listen 80;", "listen 80; http2 on;");
    let skew = rs(ngxlint_wasm::compare(files(before), files(&http2), js(&json!({ "policy": { "targets": ["1.22", "latest"] } }))).unwrap());
    assert_eq!(skew["report"]["findings"][0]["rule"], "version-skew");
    assert!(ngxlint_wasm::compare(files(before), files(before), js(&json!({ "policy": { "typo": 1 } }))).is_err());
    assert!(ngxlint_wasm::compare(files(before), files(before), js(&json!({ "options": { "nginxVersion": "9" } }))).is_err());
}

#[wasm_bindgen_test]
fn rules_and_dumps() {
    let rules = rs(ngxlint_wasm::rules().unwrap());
    assert!(rules.as_array().unwrap().iter().any(|r| r["code"] == "NGX101"));
    let risk = rs(ngxlint_wasm::risk_rules().unwrap());
    let listen = risk.as_array().unwrap().iter().find(|r| r["name"] == "listen-removed").unwrap().clone();
    assert_eq!((listen["code"].as_str(), listen["tier"].as_str(), listen["points"].as_f64()), (Some("RSK004"), Some("traffic-loss"), Some(80.0)));
    let dump = "# configuration file /e/n.conf:\nevents {}\n\n# configuration file /e/x.conf:\nx;\n\n";
    let files = rs(ngxlint_wasm::split_dump(dump).unwrap());
    assert_eq!(files[1]["path"], "/e/x.conf");
    assert_eq!(rs(ngxlint_wasm::split_dump("events {}").unwrap()), Value::Null);
}

#[wasm_bindgen_test]
fn whole_corpus_runs_without_panics() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
    let Ok(manifest) = read_file_sync(&format!("{dir}/manifest.jsonl"), "utf8") else {
        web_sys_log("skipping: ../shared/corpus not found");
        return;
    };
    let mut n = 0;
    for line in manifest.lines() {
        let m: Value = serde_json::from_str(line).unwrap();
        let path = m["path"].as_str().unwrap();
        let text = read_file_sync(&format!("{dir}/{path}"), "latin1").unwrap();
        let r = rs(ngxlint_wasm::analyze(files(&text), js(&json!({ "includesFromEnvironment": true }))).unwrap());
        assert!(r["diagnostics"].is_array());
        rs(ngxlint_wasm::parse(&text, JsValue::UNDEFINED).unwrap());
        rs(ngxlint_wasm::format(&text, JsValue::UNDEFINED).unwrap());
        n += 1;
    }
    web_sys_log(&format!("corpus: {n} files analysed, parsed and formatted without a panic"));
    assert!(n > 1000);
}

fn web_sys_log(s: &str) {
    wasm_bindgen_test::console_log!("{}", s);
}
