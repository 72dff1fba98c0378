//! Notices the network coming back or moving (Wi-Fi again after a train tunnel, another
//! network, a VPN), so the engine catches up at once: Google's notifications were lost
//! while the machine could not be reached, and a failing sync only retries every few
//! minutes. The sign is the set of default routes changing to a non-empty set.
//!
//! Linux keeps its routing tables in /proc, and says when they change over rtnetlink
//! ([`RouteChanges`]): the routes are read again only then, so an idle CalWatch does not
//! poll for them. Elsewhere nothing is known ([`Routes::current`] is `None`) and the sync's
//! retries and the backstop timer do the work.

use std::collections::BTreeSet;

/// The machine's default routes ("interface via gateway"): what carries traffic to Google.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes(BTreeSet<String>);

/// `RTF_UP`: the route is usable.
const RTF_UP: u32 = 0x0001;
/// `RTF_REJECT`: the kernel's "unreachable" placeholder, not a way out.
const RTF_REJECT: u32 = 0x0200;

impl Routes {
    /// The default routes right now; `None` where the platform does not tell.
    pub fn current() -> Option<Routes> {
        if !cfg!(target_os = "linux") {
            return None;
        }
        let ipv4 = std::fs::read_to_string("/proc/net/route").ok();
        let ipv6 = std::fs::read_to_string("/proc/net/ipv6_route").ok();
        if ipv4.is_none() && ipv6.is_none() {
            return None;
        }
        Some(Routes::from_tables(
            ipv4.as_deref().unwrap_or(""),
            ipv6.as_deref().unwrap_or(""),
        ))
    }

    /// The default routes in the text of `/proc/net/route` and `/proc/net/ipv6_route`.
    pub fn from_tables(ipv4: &str, ipv6: &str) -> Routes {
        let mut routes = BTreeSet::new();
        // Iface Destination Gateway Flags RefCnt Use Metric Mask …, after a header line.
        for line in ipv4.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if let [iface, destination, gateway, flags, _, _, _, mask, ..] = f[..] {
                if destination == "00000000" && mask == "00000000" && up(flags) {
                    routes.insert(format!("{iface} via {gateway}"));
                }
            }
        }
        // Destination, prefix length, source, prefix length, next hop, metric, refcount,
        // use, flags, interface; no header.
        for line in ipv6.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if let [destination, prefix, _, _, next_hop, _, _, _, flags, iface] = f[..] {
                let default = prefix == "00" && destination.bytes().all(|b| b == b'0');
                if default && iface != "lo" && up(flags) {
                    routes.insert(format!("{iface} via {next_hop}"));
                }
            }
        }
        Routes(routes)
    }

    /// No way out: the machine is offline.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A usable route: up, and not the kernel's reject placeholder.
fn up(flags: &str) -> bool {
    u32::from_str_radix(flags, 16).is_ok_and(|f| f & RTF_UP != 0 && f & RTF_REJECT == 0)
}

/// True when the network came back or moved: the default routes changed, and there is at
/// least one now. Losing the network is not a reason to sync (nothing could be reached).
pub fn came_back(before: &Routes, now: &Routes) -> bool {
    !now.is_empty() && now != before
}

/// The kernel's word that a route was added or removed (a cable, Wi-Fi, a VPN, DHCP):
/// wakes only then. Linux only.
#[cfg(target_os = "linux")]
pub struct RouteChanges(netlink_sys::TokioSocket);

#[cfg(target_os = "linux")]
impl RouteChanges {
    /// `RTMGRP_IPV4_ROUTE` and `RTMGRP_IPV6_ROUTE` (linux/rtnetlink.h): the multicast groups
    /// that carry route changes.
    const GROUPS: u32 = 0x40 | 0x400;

    /// Listens from now on; needs the tokio runtime.
    pub fn subscribe() -> std::io::Result<RouteChanges> {
        use netlink_sys::{AsyncSocket as _, SocketAddr, TokioSocket};
        let mut socket = TokioSocket::new(netlink_sys::protocols::NETLINK_ROUTE)?;
        socket
            .socket_mut()
            .bind(&SocketAddr::new(0, Self::GROUPS))?;
        Ok(RouteChanges(socket))
    }

    /// Waits for the next change. A change often comes as a burst of messages (IPv4 and
    /// IPv6, a route removed then added back): the burst is gathered until `quiet` passes
    /// without another, and counts as one.
    pub async fn next(&mut self, quiet: std::time::Duration) -> std::io::Result<()> {
        self.message().await?;
        while let Ok(message) = tokio::time::timeout(quiet, self.message()).await {
            message?;
        }
        Ok(())
    }

    /// One message; its content does not matter (the routes are read from /proc). The
    /// kernel dropping messages for a full buffer (ENOBUFS) also means "something changed".
    async fn message(&mut self) -> std::io::Result<()> {
        use netlink_sys::AsyncSocketExt as _;
        match self.0.recv_from_full().await {
            Err(err) if err.raw_os_error() != Some(libc::ENOBUFS) => Err(err),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/route` of a machine on Ethernet, gateway 192.0.2.1.
    const IPV4_ETH: &str = "\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
";

    /// The same machine with the cable out: only the header is left.
    const IPV4_NONE: &str =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    /// `/proc/net/ipv6_route` with a default route on eth0, local routes, and the
    /// kernel's unreachable default on lo.
    const IPV6_ETH: &str = "\
fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000004 00000000 80200001       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
";

    /// Offline over IPv6: just the unreachable placeholder.
    const IPV6_NONE: &str = "\
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
";

    #[test]
    fn the_default_routes_are_read_from_both_tables() {
        let routes = Routes::from_tables(IPV4_ETH, IPV6_ETH);
        assert_eq!(
            routes.0.into_iter().collect::<Vec<_>>(),
            [
                "eth0 via 010200C0",
                "eth0 via fd000000000000000000000000000001"
            ],
            "the subnet route, local routes and lo's unreachable placeholder are not ways out"
        );
        assert!(Routes::from_tables(IPV4_NONE, IPV6_NONE).is_empty());
        assert!(Routes::from_tables("", "").is_empty());
    }

    #[test]
    fn a_route_that_is_down_does_not_count() {
        let down = IPV4_ETH.replace("\t0003\t", "\t0002\t");
        assert!(Routes::from_tables(&down, "").is_empty());
    }

    #[test]
    fn the_network_coming_back_or_moving_is_a_reason_to_catch_up_losing_it_is_not() {
        let online = Routes::from_tables(IPV4_ETH, IPV6_ETH);
        let offline = Routes::from_tables(IPV4_NONE, IPV6_NONE);
        let moved = Routes::from_tables(&IPV4_ETH.replace("010200C0", "0101A8C0"), "");
        assert!(came_back(&offline, &online), "cable back in");
        assert!(came_back(&online, &moved), "another network");
        assert!(!came_back(&online, &offline), "cable out");
        assert!(!came_back(&online, &online), "nothing happened");
        assert!(!came_back(&offline, &offline));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_tells_its_routes() {
        assert!(
            Routes::current().is_some(),
            "/proc/net/route is readable on Linux"
        );
    }

    /// The real kernel: a cable plugged in and pulled out, in a private network namespace
    /// of this test's own (a user namespace makes it root there and nowhere else), so the
    /// machine's own routes are never touched.
    #[cfg(target_os = "linux")]
    #[test]
    fn routes_are_read_from_the_kernel_as_they_change() {
        use std::process::Command;

        const INSIDE: &str = "CALWATCH_TEST_IN_NETNS";
        const NAME: &str = "network::tests::routes_are_read_from_the_kernel_as_they_change";
        if std::env::var_os(INSIDE).is_none() {
            let out = Command::new("unshare")
                .args(["--user", "--map-root-user", "--net", "--"])
                .arg(std::env::current_exe().expect("the test binary"))
                .args(["--exact", NAME, "--test-threads=1"])
                .env(INSIDE, "1")
                .output()
                .expect("unshare (util-linux) runs");
            assert!(
                out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
                "in a private network namespace (needs unprivileged user namespaces): {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        let ip = |args: &str| {
            let status = Command::new("ip")
                .args(args.split_whitespace())
                .status()
                .expect("ip (iproute2) runs");
            assert!(status.success(), "ip {args}");
        };
        let routes = || Routes::current().expect("the namespace's routes are readable");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let quiet = std::time::Duration::from_millis(200);
        let told = |changes: &mut RouteChanges| {
            runtime.block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(1), changes.next(quiet)).await
            })
        };

        let mut changes = runtime
            .block_on(async { RouteChanges::subscribe() })
            .expect("rtnetlink's route groups can be joined");
        assert!(
            told(&mut changes).is_err(),
            "nothing changes in a new namespace, so nothing wakes the listener"
        );
        let fresh = routes();
        assert!(
            fresh.is_empty(),
            "a new namespace has no way out: {fresh:?}"
        );
        ip("link add cw0 type veth peer name cw1");
        ip("link set cw0 up");
        ip("link set cw1 up");
        ip("addr add 192.0.2.2/24 dev cw0");
        assert!(routes().is_empty(), "a subnet of its own is not a way out");

        // The link and its subnet told their own routes: gathered here, so what follows
        // is told by the default route alone.
        while matches!(told(&mut changes), Ok(Ok(()))) {}
        ip("route add default via 192.0.2.1");
        told(&mut changes)
            .expect("the kernel tells that a default route came")
            .expect("its message is read");
        let online = routes();
        assert_eq!(online.0.iter().collect::<Vec<_>>(), ["cw0 via 010200C0"]);
        assert!(came_back(&fresh, &online), "the cable is plugged in");

        ip("-6 addr add 2001:db8::2/64 dev cw0 nodad");
        ip("-6 route add default via 2001:db8::1 dev cw0");
        let both = routes();
        assert!(
            both.0.contains("cw0 via 20010db8000000000000000000000001"),
            "{both:?}"
        );
        assert!(came_back(&online, &both), "IPv6 arrived too");

        while matches!(told(&mut changes), Ok(Ok(()))) {}
        ip("route del default");
        ip("-6 route del default");
        told(&mut changes)
            .expect("the kernel tells that the default routes went")
            .expect("its message is read");
        let pulled = routes();
        assert!(pulled.is_empty(), "the cable is pulled: {pulled:?}");
        assert!(!came_back(&both, &pulled));
    }
}
