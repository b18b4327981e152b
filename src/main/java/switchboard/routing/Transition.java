package switchboard.routing;

import switchboard.domain.Chat;

/** A chat before and after one compare-and-set change; the same object twice when nothing changed. */
record Transition(Chat before, Chat after) {}
