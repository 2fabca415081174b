//! Checkstyle XML, as Jenkins (Warnings NG), reviewdog, GitLab converters and many CI dashboards
//! read it: every file the check read (clean ones too) with one `<error>` per diagnostic.
//!
//! ```xml
//! <checkstyle version="4.3">
//!   <file name="conf/nginx.conf">
//!     <error line="9" column="9" severity="error" message="..." source="ngxlint.NGX105"/>
//!   </file>
//! </checkstyle>
//! ```
//!
//! `severity` is error, warning or info; `source` is `ngxlint.` and the code; columns are in
//! characters, 1-based. The message carries the help as a second line.

use super::{by_file, message_with_help, xml_attr};
use crate::output::Run;

pub fn check(runs: &[Run]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for file in by_file(runs) {
        if file.items.is_empty() {
            out.push_str(&format!("  <file name=\"{}\"/>\n", xml_attr(file.path)));
            continue;
        }
        out.push_str(&format!("  <file name=\"{}\">\n", xml_attr(file.path)));
        for item in &file.items {
            let d = item.diagnostic;
            let (s, _) = item.files.range_of(d.span);
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"ngxlint.{}\"/>\n",
                s.line,
                s.column,
                d.severity.as_str(),
                xml_attr(&message_with_help(d)),
                xml_attr(d.code)
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
