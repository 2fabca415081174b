//! nginx's built-in values for directives whose removal changes behaviour in ways the risk model
//! weighs (limits, timeouts, buffers, TLS, logging, exposure). From the nginx documentation's
//! `Default:` lines; values that depend on the platform use Linux x86-64's.
//!
//! Removing an explicit value means "back to this default" (or to what an enclosing block sets),
//! which is how `client_max_body_size 50m;` disappearing becomes a cut to 1m.

use crate::spec::NginxVersion;

/// The default arguments of `name` for `version`, as written in the docs.
pub fn default(name: &str, version: NginxVersion) -> Option<&'static [&'static str]> {
    let v = match name {
        "client_max_body_size" => &["1m"][..],
        "client_body_buffer_size" => &["16k"],
        "client_body_timeout" | "client_header_timeout" | "send_timeout" => &["60s"],
        "client_header_buffer_size" => &["1k"],
        "large_client_header_buffers" => &["4", "8k"],
        "keepalive_timeout" => &["75s"],
        "keepalive_requests" => &["1000"],
        "worker_connections" => &["512"],
        "worker_processes" => &["1"],
        "proxy_connect_timeout" | "proxy_read_timeout" | "proxy_send_timeout" => &["60s"],
        "fastcgi_connect_timeout" | "fastcgi_read_timeout" | "fastcgi_send_timeout" => &["60s"],
        "uwsgi_connect_timeout" | "uwsgi_read_timeout" | "uwsgi_send_timeout" => &["60s"],
        "grpc_connect_timeout" | "grpc_read_timeout" | "grpc_send_timeout" => &["60s"],
        "proxy_buffer_size" | "fastcgi_buffer_size" | "uwsgi_buffer_size" | "grpc_buffer_size" => &["4k"],
        "proxy_buffers" | "fastcgi_buffers" | "uwsgi_buffers" => &["8", "4k"],
        "proxy_buffering" | "fastcgi_buffering" => &["on"],
        "proxy_request_buffering" => &["on"],
        "proxy_next_upstream_tries" => &["0"],
        "resolver_timeout" => &["30s"],
        "server_tokens" => &["on"],
        "autoindex" => &["off"],
        "ssl_prefer_server_ciphers" => &["off"],
        "ssl_ciphers" => &["HIGH:!aNULL:!MD5"],
        "ssl_session_timeout" => &["5m"],
        "ssl_protocols" => match version {
            // The default lost TLSv1 and TLSv1.1 in 1.23.4.
            NginxVersion::V1_22 => &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"][..],
            NginxVersion::Latest => &["TLSv1.2", "TLSv1.3"],
        },
        "real_ip_header" => &["X-Real-IP"],
        "real_ip_recursive" => &["off"],
        "error_log" => &["logs/error.log", "error"],
        "access_log" => &["logs/access.log", "combined"],
        "log_not_found" => &["on"],
        "gzip" => &["off"],
        "sendfile" => &["off"],
        "limit_rate" => &["0"],
        "limit_conn_status" | "limit_req_status" => &["503"],
        "types_hash_max_size" => &["1024"],
        "server_names_hash_bucket_size" => &["64"],
        "map_hash_bucket_size" => &["64"],
        "merge_slashes" => &["on"],
        "underscores_in_headers" => &["off"],
        "ignore_invalid_headers" => &["on"],
        "absolute_redirect" => &["on"],
        "port_in_redirect" => &["on"],
        "server_name_in_redirect" => &["off"],
        "tcp_nodelay" | "etag" | "chunked_transfer_encoding" | "msie_padding" | "lingering_close" => &["on"],
        "tcp_nopush" | "reset_timedout_connection" | "recursive_error_pages" | "log_subrequest" | "multi_accept" | "accept_mutex" => &["off"],
        "proxy_intercept_errors" | "fastcgi_intercept_errors" | "proxy_ignore_client_abort" | "proxy_ssl_server_name" | "proxy_ssl_verify" => &["off"],
        "proxy_pass_request_body" | "proxy_pass_request_headers" | "ssl_session_tickets" | "daemon" | "master_process" => &["on"],
        "fastcgi_keep_conn" | "gzip_vary" | "gzip_static" | "autoindex_localtime" | "ssl_stapling" | "ssl_early_data" | "pcre_jit" => &["off"],
        "autoindex_exact_size" => &["on"],
        "keepalive_disable" => &["msie6"],
        "keepalive_time" => &["1h"],
        "lingering_time" => &["30s"],
        "lingering_timeout" => &["5s"],
        "send_lowat" | "limit_rate_after" => &["0"],
        "postpone_output" => &["1460"],
        "output_buffers" => &["2", "32k"],
        "default_type" => &["text/plain"],
        "index" => &["index.html"],
        "charset" => &["off"],
        "if_modified_since" => &["exact"],
        "satisfy" => &["all"],
        "proxy_http_version" => &["1.0"],
        "proxy_next_upstream" => &["error", "timeout"],
        "proxy_redirect" => &["default"],
        "proxy_cache" => &["off"],
        "gzip_comp_level" => &["1"],
        "gzip_min_length" => &["20"],
        "gzip_proxied" => &["off"],
        "gzip_http_version" => &["1.1"],
        "gzip_types" => &["text/html"],
        "ssl_buffer_size" => &["16k"],
        "ssl_verify_client" => &["off"],
        "ssl_verify_depth" => &["1"],
        "ssl_session_cache" => &["none"],
        "server_names_hash_max_size" | "proxy_headers_hash_max_size" => &["512"],
        "variables_hash_max_size" => &["1024"],
        "variables_hash_bucket_size" | "types_hash_bucket_size" | "proxy_headers_hash_bucket_size" => &["64"],
        "map_hash_max_size" => &["2048"],
        "open_file_cache" | "open_log_file_cache" => &["off"],
        "auth_basic" => &["off"],
        _ => return None,
    };
    Some(v)
}

/// Directives that are never inherited from an enclosing block: their absence means "not set".
pub fn not_inherited(name: &str) -> bool {
    matches!(
        name,
        "listen"
            | "server_name"
            | "return"
            | "rewrite"
            | "set"
            | "break"
            | "if"
            | "location"
            | "proxy_pass"
            | "fastcgi_pass"
            | "uwsgi_pass"
            | "scgi_pass"
            | "grpc_pass"
            | "memcached_pass"
            | "try_files"
            | "alias"
            | "stub_status"
            | "internal"
            | "limit_except"
    )
}
