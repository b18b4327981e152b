package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import switchboard.a11y.Axe;

/** Issue 16: axe-core finds no WCAG 2.1 A/AA violation on the admin page, signed out and in each section. */
class AdminAccessibilityTest extends AdminTestBase {

  @Test
  void theAdminPageHasNoViolation() {
    startNode();
    openAdmin();
    hook("admin-user");
    assertThat(Axe.violations(driver)).as("sign-in").isEmpty();
    signInAsAdmin();
    queueRow("ill");
    assertThat(Axe.violations(driver)).as("queues").isEmpty();
    hook(queueRow("ill"), "queue-edit").click();
    hook("queue-form");
    assertThat(Axe.violations(driver)).as("a queue's form, with the pre-chat form choices").isEmpty();
    openSection("operators");
    operatorRow("alice");
    assertThat(Axe.violations(driver)).as("operators").isEmpty();
    openSection("stats");
    assertThat(Axe.violations(driver)).as("stats").isEmpty();
  }
}
