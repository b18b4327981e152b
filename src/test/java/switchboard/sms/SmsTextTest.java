package switchboard.sms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmsTextTest {
  @Test
  void shortTextsStayWholeAndLongOnesSplitAtSpaces() {
    assertThat(SmsText.split("x".repeat(160))).hasSize(1);
    List<String> parts = SmsText.split("word ".repeat(70).strip());
    assertThat(parts).hasSizeGreaterThan(2).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(153));
    assertThat(String.join(" ", parts)).isEqualTo("word ".repeat(70).strip());
    // one character outside the GSM alphabet makes the message UCS-2: 70 to a message
    assertThat(SmsText.split("ü".repeat(70) + "€")).hasSizeGreaterThan(1);
    assertThat(SmsText.split("é".repeat(71))).hasSize(1);
  }

  @Test
  void phoneNumbersAreMaskedButForTheLastDigits() {
    assertThat(SmsText.mask("+15559876543")).isEqualTo("••••••••6543");
  }

  @Test
  void signaturesVerifyOnlyForTheSameUrlParamsAndToken() {
    Map<String, String> params = Map.of("From", "+1555", "To", "+1666", "Body", "hi");
    String signature = TwilioSignature.sign("token", "https://x.example/hook", params);
    assertThat(TwilioSignature.verify("token", "https://x.example/hook", params, signature)).isTrue();
    assertThat(TwilioSignature.verify("other", "https://x.example/hook", params, signature)).isFalse();
    assertThat(TwilioSignature.verify("token", "https://y.example/hook", params, signature)).isFalse();
    assertThat(TwilioSignature.verify("token", "https://x.example/hook", Map.of("Body", "changed"), signature)).isFalse();
    assertThat(TwilioSignature.verify("token", "https://x.example/hook", params, null)).isFalse();
  }
}
