//! The client's address behind a reverse proxy. The connection's peer is the client unless
//! it is one of `[http] trusted_proxies`; then the client is the right-most address of
//! `X-Forwarded-For` that is not a trusted proxy (addresses left of it were written by the
//! client itself and prove nothing). Empty list: the peer, always; forwarding headers from
//! anyone are ignored.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A trusted proxy: one address (`10.0.0.5`) or a network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedNet {
    addr: IpAddr,
    prefix: u8,
}

impl TrustedNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

/// `::ffff:10.0.0.1` (a dual-stack listener's IPv4 peer) is 10.0.0.1.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

impl FromStr for TrustedNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("“{s}” is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr = canonical(IpAddr::from_str(addr).map_err(|_| bad())?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }
}

impl fmt::Display for TrustedNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == full { write!(f, "{}", self.addr) } else { write!(f, "{}/{}", self.addr, self.prefix) }
    }
}

impl Serialize for TrustedNet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TrustedNet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// The client's address: `peer` unless it is a trusted proxy, then the right-most untrusted
/// address of the `X-Forwarded-For` values (in header order). A malformed entry ends the walk
/// at the last good hop: nothing beyond it can be believed.
pub fn resolve<'a>(peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>, trusted: &[TrustedNet]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.into_iter().flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = IpAddr::from_str(hop) else { break };
        client = canonical(ip);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<TrustedNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn networks_parse_and_match() {
        let n: TrustedNet = "10.1.0.0/16".parse().unwrap();
        assert!(n.contains(ip("10.1.200.3")) && !n.contains(ip("10.2.0.1")));
        assert!("10.0.0.5".parse::<TrustedNet>().unwrap().contains(ip("::ffff:10.0.0.5")));
        assert!("fd00::/8".parse::<TrustedNet>().unwrap().contains(ip("fd12::1")));
        assert!("10.0.0.0/12".parse::<TrustedNet>().unwrap().contains(ip("10.15.255.255")));
        assert!(!"10.0.0.0/12".parse::<TrustedNet>().unwrap().contains(ip("10.16.0.0")));
        assert!(!n.contains(ip("fd00::1")));
        for bad in ["", "10.0.0", "10.0.0.0/33", "proxy.local", "::1/129"] {
            assert!(bad.parse::<TrustedNet>().is_err(), "{bad}");
        }
        assert_eq!(n.to_string(), "10.1.0.0/16");
        assert_eq!("10.0.0.5".parse::<TrustedNet>().unwrap().to_string(), "10.0.0.5");
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_peer() {
        let trusted = nets(&["10.0.0.0/8"]);
        // An untrusted peer's header is ignored.
        assert_eq!(resolve(ip("203.0.113.7"), ["198.51.100.1"], &trusted), ip("203.0.113.7"));
        // No proxies configured: never believed.
        assert_eq!(resolve(ip("10.0.0.2"), ["198.51.100.1"], &[]), ip("10.0.0.2"));
        // From the proxy: the right-most untrusted hop, not what the client wrote before it.
        assert_eq!(resolve(ip("10.0.0.2"), ["1.2.3.4, 198.51.100.1"], &trusted), ip("198.51.100.1"));
        assert_eq!(resolve(ip("10.0.0.2"), ["1.2.3.4", "198.51.100.1, 10.0.0.9"], &trusted), ip("198.51.100.1"));
        // Only proxies in the chain: the left-most of them; no header: the peer.
        assert_eq!(resolve(ip("10.0.0.2"), ["10.0.0.3"], &trusted), ip("10.0.0.3"));
        assert_eq!(resolve(ip("10.0.0.2"), [], &trusted), ip("10.0.0.2"));
        // A malformed hop ends the walk at the last trusted hop.
        assert_eq!(resolve(ip("10.0.0.2"), ["198.51.100.1, garbage"], &trusted), ip("10.0.0.2"));
    }
}
