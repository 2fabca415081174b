use crate::check::values;
use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// `worker_connections` is higher than the open-file limit a worker gets: under load,
    /// `accept()` fails with "Too many open files" long before the configured connection count.
    ///
    /// ## Why
    /// Every client connection is a file descriptor, and a proxied request needs a second one for
    /// the upstream. With `worker_rlimit_nofile` unset, a worker inherits the soft limit of the
    /// service, 1024 on most Linux systems (systemd's default `LimitNOFILE=1024:524288`, and
    /// `ulimit -n` in a login shell); nginx only prints "worker_connections exceed open file
    /// resource limit" at start. `worker_rlimit_nofile` below `worker_connections` is the same
    /// problem made explicit.
    ///
    /// ## Bad
    /// ```nginx
    /// events {
    ///     worker_connections 4096;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// worker_rlimit_nofile 8192;
    /// events {
    ///     worker_connections 4096;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `worker_rlimit_nofile` to at least twice `worker_connections` (unsafe fix: it raises
    /// a resource limit of the workers).
    ///
    /// ## Limits
    /// Without `worker_rlimit_nofile`, 1024 is assumed: a service unit or container with a
    /// higher `LimitNOFILE`/`--ulimit nofile` (Docker's default is much higher) is fine and can
    /// silence this with a suppression. Only the whole configuration is judged.
    pub(crate) RULE {
        code: "AVL003",
        name: "worker-connections-limit",
        category: Availability,
        severity: Warning,
        whole_config: true,
        check: check,
    }
}

/// The usual soft limit of open files on Linux.
const SOFT_LIMIT: u64 = 1024;

fn check(cx: &RuleContext, out: &mut Findings) {
    let Some((wi, wc_item)) = cx.named("worker_connections").next() else { return };
    let Some(wc) = values::num(wc_item.arg(0)) else { return };
    let rlimit = cx.children(None).iter().copied().find(|&c| cx.item(c).name == "worker_rlimit_nofile");
    match rlimit {
        Some(r) => {
            let Some(n) = values::num(cx.item(r).arg(0)) else { return };
            if wc > n {
                let d = out.report(wc_item.span(), format!("worker_connections {wc} exceeds worker_rlimit_nofile {n}: workers run out of file descriptors before reaching {wc} connections"));
                d.labels.push(crate::report::Label { span: cx.item(r).span(), message: "the open-file limit of each worker".into() });
                d.help = Some(format!("raise worker_rlimit_nofile to at least {}", wc * 2));
            }
        }
        None if wc > SOFT_LIMIT => {
            let events = cx.enclosing(wi, "events");
            let d = out.report(
                wc_item.span(),
                format!("worker_connections {wc} exceeds the usual open-file soft limit ({SOFT_LIMIT}) and worker_rlimit_nofile is not set: accept() fails with \"Too many open files\" under load"),
            );
            d.help = Some(format!("add `worker_rlimit_nofile {};` at the top level", wc * 2));
            if let Some(e) = events {
                let at = cx.item(e).directive.span;
                d.fix = Some(Fix {
                    message: format!("add worker_rlimit_nofile {}", wc * 2),
                    safe: false,
                    edits: vec![Edit { span: crate::source::Span { end: at.start, ..at }, replacement: format!("worker_rlimit_nofile {};\n", wc * 2) }],
                });
            }
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("AVL003", "events { worker_connections 4096; }\nhttp { }\n").len(), 1);
        let f = findings("AVL003", "worker_rlimit_nofile 1000;\nevents { worker_connections 2048; }\nhttp { }\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("exceeds worker_rlimit_nofile 1000"), "{}", f[0].message);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("AVL003", "events { worker_connections 1024; }\nhttp { }\n").is_empty());
        assert!(findings("AVL003", "worker_rlimit_nofile 65535;\nevents { worker_connections 4096; }\nhttp { }\n").is_empty());
        assert!(findings("AVL003", "events { }\nhttp { }\n").is_empty());
    }
}
