use super::*;

fn spec() -> Spec {
    Spec::default()
}

fn only(spec: &Spec, name: &str, ctx: Context) -> &'static DirectiveSpec {
    match spec.lookup(name, ctx) {
        Lookup::Found(d) => d,
        other => panic!("{name} in {ctx}: {other:?}"),
    }
}

#[test]
fn send_sync_static() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Spec>();
    assert_send_sync::<Profile>();
    assert_send_sync::<ModuleSet>();
    assert_send_sync::<DirectiveSpec>();
    assert_send_sync::<VariableSpec>();
    assert_send_sync::<ModuleSpec>();
    assert_send_sync::<Lookup>();
    assert_send_sync::<Package>();
}

#[test]
fn tables_are_sorted_for_binary_search() {
    assert!(generated::DIRECTIVES
        .windows(2)
        .all(|w| w[0].name <= w[1].name));
    assert!(generated::VARIABLES
        .windows(2)
        .all(|w| w[0].name <= w[1].name));
}

#[test]
fn rows_are_consistent() {
    for d in generated::DIRECTIVES
        .iter()
        .chain(third_party::DIRECTIVES.iter())
    {
        let m = d.module();
        assert!(
            m.versions.0 & d.versions.0 == d.versions.0,
            "{}: module versions",
            d.name
        );
        assert_eq!(d.block, d.body != BlockBody::None, "{}: block/body", d.name);
        assert_eq!(
            d.opens != 0,
            d.body == BlockBody::Directives,
            "{}: opens/body",
            d.name
        );
        assert!(d.contexts != 0, "{}: no context", d.name);
        match d.kind {
            ArgKind::NoArgs | ArgKind::Take | ArgKind::Flag => {
                assert!(d.counts != 0 && d.max != table::INF, "{}: counts", d.name);
                assert_eq!(d.counts.trailing_zeros() as u8, d.min, "{}: min", d.name);
                assert_eq!(
                    15 - d.counts.leading_zeros() as u8,
                    d.max,
                    "{}: max",
                    d.name
                );
            }
            ArgKind::OneMore | ArgKind::TwoMore | ArgKind::Any => {
                assert!(
                    d.counts == 0 && d.max == table::INF,
                    "{}: unbounded",
                    d.name
                )
            }
        }
    }
    for p in PACKAGES.iter() {
        assert!(!p.modules.is_empty(), "{}", p.id);
        for r in p.requires {
            assert!(PACKAGES.iter().any(|q| q.id == *r), "{} requires {r}", p.id);
        }
    }
}

#[test]
fn gzip_is_a_flag_in_http_server_location_if() {
    let s = spec();
    let gzip: Vec<_> = s.directives("gzip").collect();
    assert_eq!(gzip.len(), 1);
    let g = gzip[0];
    assert_eq!(g.arg_kind(), ArgKind::Flag);
    assert_eq!(g.handler(), "ngx_conf_set_flag_slot");
    assert!(g.is_standard_slot());
    assert_eq!(g.values(), &["on", "off"]);
    assert_eq!(
        g.contexts(),
        [
            Context::Http,
            Context::Server,
            Context::Location,
            Context::IfInLocation
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        g.contexts().to_string(),
        "http, server, location, if_in_location"
    );
    assert!(!g.is_block());
    assert!(g.accepts_arg_count(1) && !g.accepts_arg_count(0) && !g.accepts_arg_count(2));
    assert_eq!(g.module().name(), "ngx_http_gzip_filter_module");
    assert_eq!(g.min_version(), NginxVersion::V1_22);
    assert_eq!(only(&s, "gzip", Context::IfInLocation), g);
    assert_eq!(
        s.lookup("gzip", Context::IfInServer),
        Lookup::NotAllowedHere {
            allowed: g.contexts()
        }
    );
    // http modules are skipped in stream blocks, but the name is known: "not allowed here".
    assert!(matches!(
        s.lookup("gzip", Context::Stream),
        Lookup::NotAllowedHere { .. }
    ));
}

#[test]
fn http2_directive_is_new_after_1_22() {
    let latest = spec();
    let old = Spec::new(Profile::debian12());
    let h = only(&latest, "http2", Context::Server);
    assert_eq!(h.min_version(), NginxVersion::Latest);
    assert!(!h.in_version(NginxVersion::V1_22));
    assert_eq!(old.directives("http2").count(), 0);
    match old.lookup("http2", Context::Server) {
        Lookup::Unknown {
            why: Some(Unavailable::OtherVersion(d)),
        } => assert_eq!(d, h),
        other => panic!("{other:?}"),
    }
    assert!(Spec::is_known_anywhere("http2"));
    assert!(!Spec::is_known_anywhere("http3_nonsense"));
    assert_eq!(
        old.lookup("http3_nonsense", Context::Server),
        Lookup::Unknown { why: None }
    );
    // and the other way round: `ssl on;` is gone.
    assert!(only(&old, "ssl", Context::Server).in_version(NginxVersion::V1_22));
    assert!(matches!(
        latest.lookup("ssl", Context::Server),
        Lookup::Unknown {
            why: Some(Unavailable::OtherVersion(_))
        }
    ));
}

#[test]
fn version_specific_rows_differ() {
    let latest = spec();
    let old = Spec::new(Profile::debian12());
    let k_new = only(&latest, "keepalive", Context::Upstream);
    let k_old = only(&old, "keepalive", Context::Upstream);
    assert_ne!(k_new, k_old);
    assert!(k_new.accepts_arg_count(2) && !k_old.accepts_arg_count(2));
    let p_new = only(&latest, "proxy_protocol", Context::StreamServer);
    let p_old = only(&old, "proxy_protocol", Context::StreamServer);
    assert_eq!(p_new.values(), &["off", "on", "v2"]);
    assert_eq!(p_old.arg_kind(), ArgKind::Flag);
    assert_eq!(Spec::all_directives("keepalive").count(), 2);
}

#[test]
fn listen_arities_and_first_match_by_module_type() {
    let s = spec();
    let http = only(&s, "listen", Context::Server);
    let stream = only(&s, "listen", Context::StreamServer);
    let mail = only(&s, "listen", Context::MailServer);
    assert_eq!(http.module().name(), "ngx_http_core_module");
    assert_eq!(stream.module().module_type(), ModuleType::Stream);
    assert_eq!(mail.module().module_type(), ModuleType::Mail);
    for d in [http, stream, mail] {
        assert_eq!(d.arg_kind(), ArgKind::OneMore);
        assert_eq!((d.min_args(), d.max_args()), (1, None));
        assert!(!d.accepts_arg_count(0));
        assert!(d.accepts_arg_count(1) && d.accepts_arg_count(9));
    }
    assert!(matches!(
        s.lookup("listen", Context::Location),
        Lookup::NotAllowedHere { .. }
    ));
    // `server` in upstream is the upstream module's entry, not the server block.
    let ups = only(&s, "server", Context::Upstream);
    assert!(!ups.is_block());
    assert_eq!(ups.module().name(), "ngx_http_upstream_module");
    let srv = only(&s, "server", Context::Http);
    assert!(srv.is_block());
    assert_eq!(srv.body_context(Context::Http), Some(Context::Server));
}

#[test]
fn map_has_a_custom_body() {
    let s = spec();
    let m = only(&s, "map", Context::Http);
    assert!(m.is_block() && m.is_custom_body() && !m.is_verbatim_body());
    assert_eq!(m.body_handler(), Some("ngx_http_map"));
    assert!(m.opens_context().is_empty());
    assert!(m.accepts_arg_count(2) && !m.accepts_arg_count(1) && !m.accepts_arg_count(3));
    let sm = only(&s, "map", Context::Stream);
    assert_eq!(sm.body_handler(), Some("ngx_stream_map"));
    assert_eq!(
        only(&s, "types", Context::Location).body(),
        BlockBody::Custom("ngx_http_core_type")
    );
}

#[test]
fn include_is_allowed_everywhere() {
    let s = spec();
    for ctx in Context::ALL {
        assert_eq!(
            only(&s, "include", ctx).module().module_type(),
            ModuleType::Conf,
            "{ctx}"
        );
    }
}

#[test]
fn if_opens_a_context_that_depends_on_the_parent() {
    let s = spec();
    let i = only(&s, "if", Context::Location);
    assert_eq!(i.body_context(Context::Server), Some(Context::IfInServer));
    assert_eq!(
        i.body_context(Context::Location),
        Some(Context::IfInLocation)
    );
    assert_eq!(
        only(&s, "http", Context::Main).body_context(Context::Main),
        Some(Context::Http)
    );
}

#[test]
fn variables_exact_and_prefix() {
    let s = spec();
    let ua = s.variable("http_user_agent").unwrap();
    assert!(
        !ua.is_prefix(),
        "http_user_agent has its own entry in nginx"
    );
    let custom = s.variable("http_x_request_id").unwrap();
    assert!(custom.is_prefix());
    assert_eq!(custom.name(), "http_");
    assert_eq!(s.variable("sent_http_x_foo").unwrap().name(), "sent_http_");
    assert_eq!(
        s.variable("upstream_http_server").unwrap().name(),
        "upstream_http_"
    );
    assert_eq!(s.variable("arg_page").unwrap().name(), "arg_");
    assert_eq!(s.variable("cookie_session").unwrap().name(), "cookie_");
    assert!(s.variable("args").unwrap().is_changeable());
    assert!(s.variable("no_such_variable").is_none());
    assert!(!Spec::is_variable_known_anywhere("no_such_variable"));
    // stream variables
    let ra = s.variable_in("remote_addr", Subsystem::Stream).unwrap();
    assert_eq!(ra.module().module_type(), ModuleType::Stream);
    assert!(s.variable_in("request_uri", Subsystem::Stream).is_none());
    // proxy_protocol_tlv_ is new after 1.22
    assert!(s.variable("proxy_protocol_tlv_0x01").is_some());
    assert!(Spec::new(Profile::debian12())
        .variable("proxy_protocol_tlv_0x01")
        .is_none());
    // third-party variable, loaded in the default profile
    assert_eq!(
        s.variable("echo_timer_elapsed").unwrap().module().name(),
        "ngx_http_echo_module"
    );
}

#[test]
fn third_party_lua() {
    let s = spec();
    let c = only(&s, "content_by_lua_block", Context::Location);
    assert!(c.is_block() && c.is_custom_body() && c.is_verbatim_body());
    assert!(c.is_third_party());
    assert_eq!(
        c.module().debian12(),
        Debian12::Dynamic("ngx_http_lua_module.so")
    );
    assert!(c.accepts_arg_count(0) && !c.accepts_arg_count(1));
    assert!(matches!(
        s.lookup("content_by_lua_block", Context::Server),
        Lookup::NotAllowedHere { .. }
    ));
    let set = only(&s, "set_by_lua_block", Context::Location);
    assert!(set.is_block() && set.accepts_arg_count(1));
    assert_eq!(
        only(&s, "lua_shared_dict", Context::Http).arg_counts(),
        1 << 2
    );
    // stream-lua is not in Debian: only in the openresty profile
    assert!(matches!(
        s.lookup("preread_by_lua_block", Context::StreamServer),
        Lookup::Unknown {
            why: Some(Unavailable::ModuleNotLoaded(_))
        }
    ));
    let or = Spec::new(Profile::openresty());
    assert!(only(&or, "preread_by_lua_block", Context::StreamServer).is_verbatim_body());
    // the stream entry is found in stream, the http entry in http
    assert_eq!(
        only(&or, "content_by_lua_block", Context::StreamServer)
            .module()
            .name(),
        "ngx_stream_lua_module"
    );
}

#[test]
fn third_party_misc() {
    let s = spec();
    assert_eq!(
        only(&s, "more_set_headers", Context::IfInLocation).arg_kind(),
        ArgKind::OneMore
    );
    let b = only(&s, "brotli", Context::Location);
    assert_eq!(b.arg_kind(), ArgKind::Flag);
    assert_eq!(
        only(&s, "brotli_static", Context::Server).values(),
        &["off", "on", "always"]
    );
    let g = only(&s, "geoip2", Context::Http);
    assert!(g.is_custom_body());
    assert_eq!(
        only(&s, "geoip2", Context::Stream).module().module_type(),
        ModuleType::Stream
    );
    assert_eq!(
        only(&s, "js_import", Context::Stream).module().name(),
        "ngx_stream_js_module"
    );
    assert!(only(&s, "echo", Context::Location).accepts_arg_count(0));
    assert_eq!(
        only(&s, "proxy_cache_purge", Context::Location).arg_kind(),
        ArgKind::OneMore
    );
    assert_eq!(
        only(&s, "dav_ext_methods", Context::Location)
            .values()
            .len(),
        5
    );
    assert!(matches!(
        s.lookup("fancyindex", Context::Location),
        Lookup::Found(_)
    ));
    assert!(matches!(
        s.lookup("modsecurity_rules_file", Context::Server),
        Lookup::Found(_)
    ));
    assert!(matches!(
        s.lookup("set_escape_uri", Context::IfInServer),
        Lookup::Found(_)
    ));
}

#[test]
fn rtmp_contexts() {
    let s = spec();
    let r = only(&s, "rtmp", Context::Main);
    assert_eq!(r.body_context(Context::Main), Some(Context::Rtmp));
    let srv = only(&s, "server", Context::Rtmp);
    assert_eq!(srv.module().module_type(), ModuleType::Rtmp);
    assert_eq!(srv.body_context(Context::Rtmp), Some(Context::RtmpServer));
    let app = only(&s, "application", Context::RtmpServer);
    assert_eq!(
        app.body_context(Context::RtmpServer),
        Some(Context::RtmpApplication)
    );
    assert!(matches!(
        s.lookup("live", Context::RtmpApplication),
        Lookup::Found(_)
    ));
    assert!(matches!(
        s.lookup("rtmp_stat", Context::Location),
        Lookup::Found(_)
    ));
    // nginx's own `server` still wins in http
    assert_eq!(
        only(&s, "server", Context::Http).module().name(),
        "ngx_http_core_module"
    );
}

#[test]
fn profiles() {
    let d = Profile::default();
    assert_eq!(d.version, NginxVersion::Latest);
    let stream = module_by_name("ngx_stream_core_module").unwrap();
    assert!(d.has_module(stream));
    assert!(d.has_module(module_by_name("ngx_http_lua_module").unwrap()));
    assert!(!d.has_module(module_by_name("ngx_stream_lua_module").unwrap()));
    // modules Debian does not build are not loaded, but known
    let s = Spec::default();
    match s.lookup("sticky", Context::Upstream) {
        Lookup::Unknown {
            why: Some(Unavailable::ModuleNotLoaded(d)),
        } => {
            assert_eq!(d.module().name(), "ngx_http_upstream_sticky_module")
        }
        other => panic!("{other:?}"),
    }

    let none = Profile {
        modules: ModuleSet::new(),
        ..Profile::default()
    };
    assert!(matches!(
        Spec::new(none.clone()).lookup("gzip", Context::Http),
        Lookup::Unknown { .. }
    ));
    let with = none.clone().with_module("ngx_http_gzip_filter_module");
    assert!(matches!(
        Spec::new(with).lookup("gzip", Context::Http),
        Lookup::Found(_)
    ));
    // by package id, short module name, Debian package, .so file
    let p = none.clone().with_module("brotli");
    assert_eq!(p.modules.len(), 2);
    assert_eq!(
        none.clone().with_module("http_gzip_filter").modules.len(),
        1
    );
    assert_eq!(
        none.clone()
            .with_module("libnginx-mod-http-lua")
            .modules
            .len(),
        2
    ); // + ndk
    assert_eq!(
        none.clone()
            .with_module("libnginx-mod-http-ndk")
            .modules
            .len(),
        1
    );
    let stream_so = none.clone().with_module("modules/ngx_stream_module.so");
    assert!(stream_so.has_module(stream) && stream_so.modules.len() > 10);
    assert_eq!(
        none.clone().with_module("libnginx-mod-stream").modules,
        stream_so.modules
    );
    assert!(none.clone().try_with_module("no-such-module").is_err());
    // requires: lua pulls in ndk
    let lua = none.clone().with_module("lua");
    assert!(lua.has_module(module_by_name("ndk_http_module").unwrap()));
    assert!(!d
        .clone()
        .without_module("lua")
        .has_module(module_by_name("ngx_http_lua_module").unwrap()));

    // plain ./configure: no stream, no ssl entries in the proxy module
    let plain = Spec::new(Profile::plain_configure(NginxVersion::Latest));
    assert!(matches!(
        plain.lookup("proxy_pass", Context::Location),
        Lookup::Found(_)
    ));
    assert!(matches!(
        plain.lookup("proxy_ssl_verify", Context::Location),
        Lookup::Unknown {
            why: Some(Unavailable::NotBuilt(_))
        }
    ));
    assert!(matches!(
        plain.lookup("stream", Context::Main),
        Lookup::Unknown { .. }
    ));

    let or = Profile::openresty();
    for id in [
        "lua",
        "stream-lua",
        "ndk",
        "headers-more",
        "set-misc",
        "echo",
    ] {
        let pkg = PACKAGES.iter().find(|p| p.id == id).unwrap();
        assert!(pkg.module_ids().all(|m| or.has_module(m)), "{id}");
    }
    let all = Profile::everything(NginxVersion::V1_22);
    assert_eq!(all.modules.len(), modules().count());
}

#[test]
fn known_anywhere_and_names() {
    assert!(Spec::is_known_anywhere("proxy_pass"));
    assert!(Spec::is_known_anywhere("content_by_lua_block"));
    assert!(Spec::is_known_anywhere("ssl"));
    assert!(!Spec::is_known_anywhere("proxy_passs"));
    let names: Vec<_> = directive_names().collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    assert!(names.contains(&"gzip") && names.contains(&"more_set_headers"));
}

#[test]
fn context_names_round_trip() {
    for c in Context::ALL {
        assert_eq!(Context::from_name(c.name()), Some(c));
        assert!(ContextSet::ANY.contains(c));
    }
    assert_eq!(ContextSet::ANY.len(), Context::ALL.len());
}
