package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import switchboard.e2e.TestNode;

/** Operators added in the page can sign in with the password set there; a reset replaces it. */
class AdminOperatorsTest extends AdminTestBase {

  @Test
  void anOperatorAddedWithAPasswordCanSignIn() {
    startNode();
    signInAsAdmin();
    openSection("operators");

    hook("operator-add").click();
    WebElement form = hook("operator-form");
    type(hook(form, "operator-id"), "erin");
    type(hook(form, "operator-name"), "Erin");
    visible(By.cssSelector("[data-sb=operator-queue][data-queue=general]")).click();
    type(hook(form, "operator-max-chats"), "3");
    type(hook(form, "operator-password"), "short");
    hook(form, "operator-save").click();
    error("operator-form");
    screenshot("admin-operator-form");
    assertThat(error("operator-form").getText()).contains("password");
    assertThat(hook(form, "operator-password").getAttribute("aria-invalid")).isEqualTo("true");

    type(hook(form, "operator-password"), "erin-pass-123");
    hook(form, "operator-save").click();
    assertThat(operatorRow("erin").getText()).contains("Erin").contains("general").contains("3").contains("set");

    TestNode.Http login = node.loginRequest("erin", "erin-pass-123");
    assertThat(login.status()).as("erin signs in: %s", login).isEqualTo(200);
    JsonObject erin = login.json().getJsonObject("operator");
    assertThat(erin.getJsonArray("queues").getList()).containsExactly("general");
    assertThat(erin.getString("role")).isEqualTo("operator");

    // a reset: the new password works, the old one no longer does, the rest is kept
    operatorRow("erin").findElement(By.cssSelector("[data-sb=operator-edit]")).click();
    form = hook("operator-form");
    assertThat(hook(form, "operator-name").getAttribute("value")).isEqualTo("Erin");
    type(hook(form, "operator-password"), "another-pass-9");
    hook(form, "operator-save").click();
    until(d -> shown(By.cssSelector("[data-sb=operator-form]")) ? null : true, "the form to close");
    assertThat(node.loginRequest("erin", "another-pass-9").status()).isEqualTo(200);
    assertThat(node.loginRequest("erin", "erin-pass-123").status()).isEqualTo(401);
    assertThat(adminGet("/api/v1/admin/operators/erin").getInteger("maxChats")).isEqualTo(3);
  }
}
