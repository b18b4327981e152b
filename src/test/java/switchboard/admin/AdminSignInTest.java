package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import switchboard.e2e.TestNode;

/** Who gets in: an admin sees the set-up; an operator is told, politely, that the page is for admins. */
class AdminSignInTest extends AdminTestBase {

  @Test
  void anAdminSignsInAndSeesQueuesAndOperators() {
    startNode();
    signInAsAdmin();

    assertThat(hook("admin-name").getText()).isEqualTo("Alice");
    assertThat(queueRow("ill").getText()).contains("Interlibrary Loan").contains("ill → general");
    assertThat(queueRow("general").getText()).contains("Ask a Librarian");

    openSection("operators");
    assertThat(operatorRow("alice").getText()).contains("Alice").contains("Admin");
    assertThat(operatorRow("bob").getText()).contains("general").contains("Operator");

    // a reload keeps the session (sessionStorage) and the section (the address's #operators)
    driver.navigate().refresh();
    assertThat(operatorRow("carol").getText()).contains("ill");
    assertThat(hook("admin-name").getText()).isEqualTo("Alice");
  }

  @Test
  void anOperatorIsToldThePageIsForAdminsOnly() {
    startNode();
    String bob = node.login("bob");
    assertThat(node.get("/api/v1/admin/queues", bob).status()).as("the API refuses bob").isEqualTo(403);
    assertThat(node.get("/api/v1/admin/queues").status()).as("and anyone without a token").isEqualTo(401);

    signIn("bob");

    String text = hook("admin-denied").getText();
    assertThat(text).containsIgnoringCase("admins only").contains("Bob");
    assertThat(shown(By.cssSelector("[data-sb=admin]"))).as("the admin page stays hidden").isFalse();
    assertThat(js("return sessionStorage.getItem('switchboard.admin.token')")).as("no token kept").isNull();
    screenshot("admin-admins-only");

    // a wrong password is a different message, on the sign-in form
    hook("admin-denied-back").click();
    type(hook("admin-user"), "alice");
    type(hook("admin-password"), TestNode.PASSWORD + "-wrong");
    hook("admin-submit").click();
    assertThat(error("login").getText()).contains("do not match");
  }
}
