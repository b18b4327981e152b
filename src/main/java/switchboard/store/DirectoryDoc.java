package switchboard.store;

import java.util.List;
import switchboard.config.OperatorConfig;
import switchboard.config.QueueConfig;

/** The queues and operators as kept in the state store, with a version for compare-and-set. */
public record DirectoryDoc(long version, List<QueueConfig> queues, List<OperatorConfig> operators) {}
