//! JUnit XML, as CI test reports (GitLab, Jenkins, Azure Pipelines, GitHub test-report actions)
//! read it: one `<testsuite>` per file the check read, one failing `<testcase>` per diagnostic
//! (whatever its severity: the report lists findings; the exit status still counts only errors),
//! or one passing testcase for a clean file.
//!
//! ```xml
//! <testsuites name="ngxlint" tests="2" failures="1" errors="0">
//!   <testsuite name="conf/nginx.conf" tests="1" failures="1" errors="0" skipped="0">
//!     <testcase name="NGX105 invalid-value at 9:9" classname="conf/nginx.conf" file="conf/nginx.conf" line="9">
//!       <failure type="error" message="...">conf/nginx.conf:9:9: error[NGX105] ...</failure>
//!     </testcase>
//!   </testsuite>
//!   <testsuite name="conf/site.conf" tests="1" failures="0" errors="0" skipped="0">
//!     <testcase name="no findings" classname="conf/site.conf" file="conf/site.conf"/>
//!   </testsuite>
//! </testsuites>
//! ```

use super::{by_file, xml_attr, xml_text};
use crate::output::Run;

pub fn check(runs: &[Run]) -> String {
    let files = by_file(runs);
    let failures: usize = files.iter().map(|f| f.items.len()).sum();
    let tests: usize = files.iter().map(|f| f.items.len().max(1)).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<testsuites name=\"ngxlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"));
    for file in &files {
        let path = xml_attr(file.path);
        let n = file.items.len();
        out.push_str(&format!(
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">\n",
            n.max(1)
        ));
        if n == 0 {
            out.push_str(&format!("    <testcase name=\"no findings\" classname=\"{path}\" file=\"{path}\"/>\n"));
        }
        for item in &file.items {
            let d = item.diagnostic;
            let (s, _) = item.files.range_of(d.span);
            let name = format!("{} {} at {}:{}", d.code, d.rule, s.line, s.column);
            let mut body = ngxlint::report::concise::line(item.files, d);
            if let Some(h) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(h);
            }
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{path}\" file=\"{path}\" line=\"{}\">\n",
                xml_attr(&name),
                s.line
            ));
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                d.severity.as_str(),
                xml_attr(&d.message),
                xml_text(&body)
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
