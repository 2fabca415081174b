use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// `worker_processes` is missing (nginx then runs a single worker) or a fixed number instead
    /// of `auto` (one worker per CPU).
    ///
    /// ## Why
    /// nginx's default is one worker process: on a machine with several CPUs, TLS handshakes,
    /// gzip and request processing all queue on one core. A fixed number goes stale when the
    /// configuration moves to a machine of another size.
    ///
    /// ## Bad
    /// ```nginx
    /// worker_processes 1;
    /// events { }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// worker_processes auto;
    /// events { }
    /// ```
    ///
    /// ## Fix
    /// `worker_processes auto;` (unsafe fix: the number of processes, and the memory they use,
    /// changes with the machine).
    ///
    /// ## Limits
    /// A deliberate fixed number is fine, e.g. in a container whose CPU quota is smaller than
    /// the CPUs the machine reports (`auto` counts those); suppress it there with the reason.
    /// Only the whole configuration is judged.
    pub(crate) RULE {
        code: "PRF001",
        name: "missing-worker-processes-auto",
        category: Performance,
        severity: Info,
        whole_config: true,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let top = cx.children(None);
    match top.iter().copied().find(|&c| cx.item(c).name == "worker_processes") {
        Some(w) => {
            let it = cx.item(w);
            if it.arg(0) != "auto" && !it.args.is_empty() {
                let d = out.report(it.span(), format!("worker_processes {} is fixed: nginx uses that many workers whatever the number of CPUs", it.arg(0)));
                d.help = Some("use `worker_processes auto;` (one worker per CPU)".into());
                d.fix = Some(Fix {
                    message: "use worker_processes auto".into(),
                    safe: false,
                    edits: vec![Edit { span: it.directive.args[0].span, replacement: "auto".into() }],
                });
            }
        }
        None => {
            let Some(&first) = top.first() else { return };
            let at = cx.item(first).directive.span;
            let d = out.report(cx.item(first).span(), "worker_processes is not set: nginx runs a single worker process (default 1)");
            d.help = Some("add `worker_processes auto;` at the top level".into());
            // About the whole configuration: listed after what nginx reports while reading it.
            d.phase = u8::MAX;
            d.fix = Some(Fix {
                message: "add worker_processes auto".into(),
                safe: false,
                edits: vec![Edit { span: crate::source::Span { end: at.start, ..at }, replacement: "worker_processes auto;\n".into() }],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("PRF001", "events { }\nhttp { }\n").len(), 1);
        assert_eq!(findings("PRF001", "worker_processes 4;\nevents { }\nhttp { }\n").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("PRF001", "worker_processes auto;\nevents { }\nhttp { }\n").is_empty());
        assert!(findings("PRF001", "user nginx;\nworker_processes auto;\nevents { }\nhttp { }\n").is_empty());
    }
}
