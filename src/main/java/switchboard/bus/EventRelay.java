package switchboard.bus;

/**
 * Delivers frames to the sockets of a chat's guest or of an operator, wherever they are.
 * In one node that is the local event bus; across nodes the Redis implementation also
 * publishes to the other nodes, which deliver to the sockets they hold.
 */
public interface EventRelay {
  void toGuest(String chatId, String frame);

  void toOperator(String operatorId, String frame);

  /** Publishes {@code body} on {@code address} (one of {@link Addresses#NODE_EVENTS}…) on every node. */
  void toAllNodes(String address, String body);

  /** Whether frames from other nodes reach this one now; a node that is cut off is not ready. */
  default boolean receivesOtherNodes() {
    return true;
  }
}
