//! Reading a tool's public address, and the callback URL that follows from it.
//!
//! Real tools give DNS names served over HTTPS. The stand-ins the tests run give
//! `127.0.0.1:<port>` instead; a loopback host is reached over `http://` (the engine only
//! accepts that when http callbacks are allowed, as for the sandbox and the tests).

use serde_json::Value;

/// The callback URL for a tool's public hostname or URL (`abc.trycloudflare.com`,
/// `https://abc.ngrok-free.app`, `node.tailnet.ts.net.`).
pub fn callback_url(host_or_url: &str) -> Option<String> {
    let host = host_or_url
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = host.split('/').next().unwrap_or(host).trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    let ip = host
        .parse::<std::net::SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| host.parse::<std::net::IpAddr>());
    let scheme = match ip {
        Ok(ip) if ip.is_loopback() => "http",
        _ => "https",
    };
    Some(format!("{scheme}://{host}/notifications"))
}

/// The address in one line of cloudflared's stderr: the URL inside the box it draws
/// (`|  https://abc.trycloudflare.com  |`). Other lines (its terms carry URLs too) are not it.
pub fn cloudflared_banner(line: &str) -> Option<String> {
    let boxed = line.trim_end();
    let inner = boxed.strip_suffix('|')?;
    let inner = &inner[inner.rfind('|')? + 1..];
    let url = inner.trim();
    (url.starts_with("https://") && !url.contains(' ')).then(|| url.to_string())
}

/// The hostname in the body of cloudflared's metrics `GET /quicktunnel` (JSON, served as
/// text/plain); empty until the tunnel is registered.
pub fn cloudflared_quicktunnel(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let host = value["hostname"].as_str()?;
    (!host.is_empty()).then(|| host.to_string())
}

/// The `https` public URL of the tunnel forwarding to `port`, from ngrok's
/// `GET /api/tunnels`.
pub fn ngrok_tunnels(body: &str, port: u16) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let tunnels = value["tunnels"].as_array()?;
    tunnels
        .iter()
        .filter(|t| t["proto"].as_str() == Some("https"))
        .filter(|t| {
            let addr = t["config"]["addr"].as_str().unwrap_or("");
            addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()) == Some(port)
                || addr == port.to_string()
        })
        .find_map(|t| t["public_url"].as_str().map(str::to_string))
}

/// The new address in one line of ngrok's `--log stdout` (`msg="started tunnel" … url=…`).
pub fn ngrok_log_line(line: &str) -> Option<String> {
    if !line.contains("msg=\"started tunnel\"") {
        return None;
    }
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("url="))
        .filter(|u| u.starts_with("https://"))
        .map(str::to_string)
}

/// `https://<Self.DNSName without the trailing dot>` from `tailscale status --json`.
pub fn tailscale_status(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let dns = value["Self"]["DNSName"].as_str()?.trim_end_matches('.');
    (!dns.is_empty()).then(|| format!("https://{dns}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_hostname_is_reached_over_https_and_a_loopback_one_over_http() {
        assert_eq!(
            callback_url("abc-def.trycloudflare.com").as_deref(),
            Some("https://abc-def.trycloudflare.com/notifications")
        );
        assert_eq!(
            callback_url("node.tail1234.ts.net.").as_deref(),
            Some("https://node.tail1234.ts.net/notifications"),
            "the DNS name's trailing dot is not part of the URL"
        );
        assert_eq!(
            callback_url("https://127.0.0.1:4567/").as_deref(),
            Some("http://127.0.0.1:4567/notifications"),
            "a stand-in's loopback address is plain http"
        );
        assert_eq!(callback_url(""), None);
    }

    #[test]
    fn the_banner_url_is_the_one_in_the_box_not_the_terms_link() {
        let terms = "2026-11-30T12:00:00Z INF Thank you … (https://www.cloudflare.com/website-terms/), and …";
        assert_eq!(cloudflared_banner(terms), None);
        let boxed = "2026-11-30T12:00:01Z INF |  https://seasonal-deer-ace.trycloudflare.com                          |";
        assert_eq!(
            cloudflared_banner(boxed).as_deref(),
            Some("https://seasonal-deer-ace.trycloudflare.com")
        );
        let heading = "2026-11-30T12:00:01Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |";
        assert_eq!(cloudflared_banner(heading), None);
    }

    #[test]
    fn ngrok_gives_the_https_url_of_the_tunnel_to_this_port() {
        let body = r#"{"tunnels":[
            {"public_url":"https://other.ngrok-free.app","proto":"https","config":{"addr":"http://localhost:3000"}},
            {"public_url":"http://mine.ngrok-free.app","proto":"http","config":{"addr":"http://localhost:8765"}},
            {"public_url":"https://mine.ngrok-free.app","proto":"https","config":{"addr":"http://localhost:8765"}}]}"#;
        assert_eq!(
            ngrok_tunnels(body, 8765).as_deref(),
            Some("https://mine.ngrok-free.app")
        );
        assert_eq!(ngrok_tunnels(body, 9999), None);
    }

    #[test]
    fn tailscale_and_metrics_bodies_are_read() {
        assert_eq!(
            tailscale_status(r#"{"Self":{"DNSName":"laptop.tail1234.ts.net."}}"#).as_deref(),
            Some("https://laptop.tail1234.ts.net")
        );
        assert_eq!(
            cloudflared_quicktunnel(r#"{"hostname":"a-b.trycloudflare.com"}"#).as_deref(),
            Some("a-b.trycloudflare.com")
        );
        assert_eq!(cloudflared_quicktunnel(r#"{"hostname":""}"#), None);
        assert_eq!(
            ngrok_log_line(r#"t=x lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://localhost:8765 url=https://a.ngrok-free.app"#).as_deref(),
            Some("https://a.ngrok-free.app")
        );
    }
}
