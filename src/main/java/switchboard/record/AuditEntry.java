package switchboard.record;

import java.time.Instant;

/**
 * One admin change in the record: {@code actor} (an operator id) did {@code action} (e.g.
 * "operator.updated") to {@code subject} (e.g. an operator's id); {@code detail} says what changed,
 * never a password or its hash.
 */
public record AuditEntry(Instant at, String actor, String action, String subject, String detail) {}
