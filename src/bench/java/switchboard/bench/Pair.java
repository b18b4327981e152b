package switchboard.bench;

/** A guest socket and the operator socket that holds its chat. */
final class Pair {
  final Sock guest;
  final Sock operator;
  final String chatId;
  /** Messages this guest sent (touched only on its lane's event loop). */
  long sent;

  Pair(Sock guest, Sock operator, String chatId) {
    this.guest = guest;
    this.operator = operator;
    this.chatId = chatId;
  }
}
