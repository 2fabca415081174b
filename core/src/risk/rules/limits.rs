//! Limits that bite under load: body size, connections and rates, timeouts and buffers.

use super::{magnitude, number, show, Context, Draft, BODY_SIZE_LOWERED, BUFFERS_TIMEOUTS_LOWERED, CONNECTION_LIMITS_LOWERED};
use crate::diff::{ChangeKind, Origin};
use crate::risk::traffic::socket_map;
use crate::risk::Tier;

pub fn run(cx: &Context<'_>, out: &mut Vec<Draft>) {
    for (ci, c) in cx.changes() {
        if c.block {
            continue;
        }
        let name = c.directive.as_str();
        let old = number(name, &c.before);
        let new = number(name, &c.after);
        let origin = match c.after_origin {
            Origin::Default => " (nginx's default, since the explicit value was removed)",
            Origin::Inherited => " (inherited, since the explicit value was removed)",
            _ => "",
        };
        match name {
            "client_max_body_size" => {
                // 0 disables the check: unlimited.
                let unl = |v: Option<f64>| v.map(|x| if x == 0.0 { f64::INFINITY } else { x });
                let (Some(o), Some(n)) = (unl(old), unl(new)) else { continue };
                if n >= o {
                    cx.claim(ci);
                    continue;
                }
                let mut d = cx
                    .for_change(BODY_SIZE_LOWERED, ci, format!("client_max_body_size {} -> {}{origin}", show(&c.before), show(&c.after)))
                    .modifier(if o.is_infinite() { "from unlimited".to_string() } else { format!("cut {:.0}x", o / n) }, if o.is_infinite() { 1.5 } else { magnitude(o, n) })
                    .explain("request bodies above the new limit get 413 Request Entity Too Large: uploads and large API payloads fail");
                if c.location.as_ref().is_some_and(|l| l[1].contains("upload")) || c.scope.iter().any(|s| s.contains("upload")) {
                    d = d.modifier("upload path", 1.2);
                }
                out.push(d);
            }
            "worker_connections" | "worker_rlimit_nofile" => {
                let (Some(o), Some(n)) = (old, new) else { continue };
                if n >= o {
                    cx.claim(ci);
                    continue;
                }
                let sockets = socket_map(cx.i.after.model()).len() as f64;
                let d = cx
                    .for_change(CONNECTION_LIMITS_LOWERED, ci, format!("{name} {} -> {}{origin}", show(&c.before), show(&c.after)))
                    .modifier(format!("cut {:.1}x", o / n), magnitude(o, n))
                    .explain("each worker accepts fewer connections (clients and upstreams count): `worker_connections are not enough` and refused connections at peak");
                let d = if name == "worker_connections" && n < sockets + 1.0 {
                    d.tier(Tier::TrafficLoss).explain("fewer connections than listening sockets + 1: nginx cannot serve at all")
                } else {
                    d
                };
                out.push(d);
            }
            "limit_req" | "limit_conn" => {
                let d = match c.kind {
                    ChangeKind::Added => cx
                        .for_change(CONNECTION_LIMITS_LOWERED, ci, format!("new {name} {}", show(&c.after)))
                        .confidence(0.7)
                        .explain("clients above the limit get 503 (or limit_*_status): check the limit against real peak traffic per key"),
                    ChangeKind::Modified => {
                        let burst = |v: &Option<Vec<String>>| {
                            v.as_ref().and_then(|a| a.iter().find_map(|p| p.strip_prefix("burst=")).and_then(|b| b.parse::<f64>().ok()))
                        };
                        let conn = |v: &Option<Vec<String>>| v.as_ref().and_then(|a| a.get(1)).and_then(|b| b.parse::<f64>().ok());
                        let (o, n) = if name == "limit_conn" { (conn(&c.before), conn(&c.after)) } else { (burst(&c.before), burst(&c.after)) };
                        match (o, n) {
                            (Some(o), Some(n)) if n < o => cx
                                .for_change(CONNECTION_LIMITS_LOWERED, ci, format!("{name} {} -> {}", show(&c.before), show(&c.after)))
                                .modifier(format!("cut {:.1}x", o / n.max(1.0)), magnitude(o, n.max(1.0)))
                                .explain("more clients hit the limit and get 503"),
                            (Some(_), None) if name == "limit_req" => cx
                                .for_change(CONNECTION_LIMITS_LOWERED, ci, format!("{name} {} -> {} (burst removed)", show(&c.before), show(&c.after)))
                                .modifier("no burst: every request above the rate is rejected", 1.5)
                                .explain("without burst, requests above the rate are refused at once"),
                            _ => {
                                cx.claim(ci);
                                continue;
                            }
                        }
                    }
                    _ => {
                        cx.claim(ci);
                        continue;
                    }
                };
                out.push(d);
            }
            "limit_req_zone" | "limit_conn_zone" => {
                let rate = |v: &Option<Vec<String>>| {
                    v.as_ref().and_then(|a| a.iter().find_map(|p| p.strip_prefix("rate="))).and_then(|r| {
                        let per_min = r.ends_with("r/m");
                        let n: f64 = r.trim_end_matches("r/s").trim_end_matches("r/m").parse().ok()?;
                        Some(if per_min { n / 60.0 } else { n })
                    })
                };
                match (rate(&c.before), rate(&c.after)) {
                    (Some(o), Some(n)) if n < o && c.kind == ChangeKind::Modified => {
                        out.push(
                            cx.for_change(CONNECTION_LIMITS_LOWERED, ci, format!("rate limit {} -> {}", show(&c.before), show(&c.after)))
                                .modifier(format!("cut {:.1}x", o / n), magnitude(o, n))
                                .confidence(0.7)
                                .explain("every limit_req using this zone rejects more requests with 503"),
                        );
                    }
                    _ => {}
                }
            }
            _ if timeouts_buffers(name) => {
                let (Some(o), Some(n)) = (old, new) else { continue };
                if n >= o || n == 0.0 {
                    cx.claim(ci);
                    continue;
                }
                out.push(
                    cx.for_change(BUFFERS_TIMEOUTS_LOWERED, ci, format!("{name} {} -> {}{origin}", show(&c.before), show(&c.after)))
                        .modifier(format!("cut {:.1}x", o / n), magnitude(o, n))
                        .explain(if name.ends_with("timeout") {
                            "slow backends or clients now hit the timeout: 504 Gateway Timeout or dropped connections, mostly at peak"
                        } else {
                            "responses or headers that no longer fit: 502 (upstream sent too big header) or 400/414 for large cookies and URIs"
                        }),
                );
            }
            _ => {}
        }
    }
}

fn timeouts_buffers(name: &str) -> bool {
    name.ends_with("_timeout")
        || name.ends_with("_buffer_size")
        || name.ends_with("_buffers")
        || name == "large_client_header_buffers"
        || name == "keepalive_requests"
        || name == "keepalive"
        || name == "proxy_max_temp_file_size"
}
