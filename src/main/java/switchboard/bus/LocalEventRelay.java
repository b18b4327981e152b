package switchboard.bus;

import io.vertx.core.eventbus.EventBus;

/** One node: frames go straight to the local consumers of each socket. */
public final class LocalEventRelay implements EventRelay {
  private final EventBus bus;

  public LocalEventRelay(EventBus bus) {
    this.bus = bus;
  }

  @Override
  public void toGuest(String chatId, String frame) {
    bus.publish(Addresses.toGuest(chatId), frame);
  }

  @Override
  public void toOperator(String operatorId, String frame) {
    bus.publish(Addresses.toOperator(operatorId), frame);
  }

  @Override
  public void toAllNodes(String address, String body) {
    bus.publish(address, body);
  }
}
