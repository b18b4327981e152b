package switchboard.domain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a queue asks a guest before a chat starts (DESIGN §1): name, email and question, each
 * {@code off}, {@code optional} or {@code required}. The question is the chat's first message and
 * is shown on the offer, so staff can triage before accepting.
 */
public record ChatForm(Ask name, Ask email, Ask question) {
  public enum Ask { off, optional, required }

  /** What a queue asks when its config says nothing: a name and a question, both optional. */
  public static final ChatForm DEFAULT = new ChatForm(Ask.optional, Ask.off, Ask.optional);

  public ChatForm {
    name = name == null ? Ask.optional : name;
    email = email == null ? Ask.off : email;
    question = question == null ? Ask.optional : question;
  }

  /** As the config file and the public queue list write it, in that order. */
  public Map<String, Object> json() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name.name());
    json.put("email", email.name());
    json.put("question", question.name());
    return json;
  }
}
