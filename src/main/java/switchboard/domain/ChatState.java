package switchboard.domain;

/** DESIGN §1: waiting → offered → active → closed; waiting → abandoned; offered → missed. */
public enum ChatState {
  waiting, offered, active, closed, abandoned, missed;

  /** Still looking for an operator: counted in the line, routable. */
  public boolean isUnanswered() {
    return this == waiting || this == offered;
  }

  public boolean isEnded() {
    return this == closed || this == abandoned || this == missed;
  }
}
