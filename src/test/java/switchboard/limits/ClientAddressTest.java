package switchboard.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one client-address rule every per-client limit uses. */
class ClientAddressTest {
  private final ClientAddress defaults = new ClientAddress(ClientAddress.DEFAULT_TRUSTED_PROXIES);

  private static SocketAddress peer(String ip) {
    return SocketAddress.inetSocketAddress(40_000, ip);
  }

  private static MultiMap forwarded(String value) {
    return MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", value);
  }

  @Test
  void aDirectClientIsCountedUnderItsOwnAddressWhateverItForwards() {
    assertThat(defaults.of(peer("203.0.113.9"), MultiMap.caseInsensitiveMultiMap())).isEqualTo("203.0.113.9");
    assertThat(defaults.of(peer("203.0.113.9"), forwarded("198.51.100.1"))).as("not a trusted proxy")
        .isEqualTo("203.0.113.9");
  }

  @Test
  void behindTrustedProxiesTheRightmostUntrustedHopIsTheClient() {
    assertThat(defaults.of(peer("10.0.0.5"), forwarded("198.51.100.7"))).isEqualTo("198.51.100.7");
    // a client can prepend anything; only the hops the proxies added count
    assertThat(defaults.of(peer("10.0.0.5"), forwarded("1.2.3.4, 198.51.100.7"))).isEqualTo("198.51.100.7");
    // a chain of proxies (CDN, then the load balancer)
    assertThat(defaults.of(peer("10.0.0.5"), forwarded("198.51.100.7, 10.0.0.9"))).isEqualTo("198.51.100.7");
    assertThat(defaults.of(peer("127.0.0.1"), forwarded("2001:db8::1"))).isEqualTo("2001:db8:0:0:0:0:0:1");
    // a proxy without the header: the proxy itself (its own traffic), or nobody for a local one
    assertThat(defaults.of(peer("10.0.0.5"), MultiMap.caseInsensitiveMultiMap())).isEqualTo("10.0.0.5");
    assertThat(defaults.of(peer("127.0.0.1"), MultiMap.caseInsensitiveMultiMap())).isNull();
  }

  @Test
  void theTrustedProxiesAreConfigurable() {
    ClientAddress onlyOne = new ClientAddress(List.of("192.0.2.10"));
    assertThat(onlyOne.of(peer("192.0.2.10"), forwarded("198.51.100.7"))).isEqualTo("198.51.100.7");
    assertThat(onlyOne.of(peer("10.0.0.5"), forwarded("198.51.100.7"))).as("10/8 no longer trusted")
        .isEqualTo("10.0.0.5");
    assertThat(onlyOne.of(peer("127.0.0.1"), forwarded("198.51.100.7"))).as("nor loopback: local, not counted")
        .isNull();
  }

  @Test
  void rangesMatchByPrefix() {
    Cidr ten = Cidr.parse("10.0.0.0/8");
    assertThat(ten.contains(Cidr.literal("10.255.1.2"))).isTrue();
    assertThat(ten.contains(Cidr.literal("11.0.0.1"))).isFalse();
    assertThat(Cidr.parse("172.16.0.0/12").contains(Cidr.literal("172.31.255.255"))).isTrue();
    assertThat(Cidr.parse("172.16.0.0/12").contains(Cidr.literal("172.32.0.0"))).isFalse();
    assertThat(Cidr.parse("fc00::/7").contains(Cidr.literal("fd12::1"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.literal("8.8.8.8"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.literal("::1"))).as("families differ").isFalse();
  }
}
