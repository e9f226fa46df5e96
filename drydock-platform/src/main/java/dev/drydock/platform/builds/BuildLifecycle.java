package dev.drydock.platform.builds;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import static dev.drydock.platform.builds.BuildState.*;

/**
 * The build state machine as one table of every move, made by people or by Drydock: for each move, the states it
 * starts from, the state it leads to and who may make it. {@link BuildService} (user actions, the pause of the
 * previously deployed build, adapter-driven moves) and the worker (testing moves) ask this table and keep no lists
 * of their own; persistence and side effects stay in {@link BuildService}.
 */
public final class BuildLifecycle {

    /**
     * Every move. {@code action} is the name the history and events record (for user moves, the public API's
     * {@link BuildAction}); {@code by} is who may make it: {@link Actor#system} for Drydock's own moves,
     * {@link Actor#owner} for the adapter's organization, {@link Actor#reviewer} for reviewers and admins.
     */
    public enum Move {
        /** A tagged push to an adapter's repository creates the build (from no state). */
        PUSH("push", EnumSet.noneOf(BuildState.class), pending, Actor.system),
        /** The worker starts an attempt (again, after a lost lease: fetching → fetching is a new attempt). */
        FETCH("fetch", EnumSet.of(pending, fetching), fetching, Actor.system),
        TEST_PASSED("tested", EnumSet.of(fetching), available, Actor.system),
        TEST_FAILED("tested", EnumSet.of(fetching), invalid, Actor.system),
        /** Every attempt was used up (the last ones cut off or failing): the build cannot stay pending or fetching. */
        TEST_GAVE_UP("tested", EnumSet.of(pending, fetching), invalid, Actor.system),
        /** An internal error during a test: the job runs again later. */
        REQUEUE("requeue", EnumSet.of(fetching), pending, Actor.system),

        SUBMIT(BuildAction.submit, EnumSet.of(available), submitted, Actor.owner),
        APPROVE(BuildAction.approve, EnumSet.of(submitted), approved, Actor.reviewer),
        DISAPPROVE(BuildAction.disapprove, EnumSet.of(submitted), disapproved, Actor.reviewer),
        DEPLOY(BuildAction.deploy, EnumSet.of(approved), deployed, Actor.owner),
        PAUSE(BuildAction.pause, EnumSet.of(deployed), paused, Actor.owner),
        UNPAUSE(BuildAction.unpause, EnumSet.of(paused), deployed, Actor.owner),
        DELETE(BuildAction.delete, EnumSet.of(pending, available, invalid, approved, disapproved, deployed, paused), deleted,
                Actor.owner),
        INVALIDATE(BuildAction.invalidate, EnumSet.of(available, submitted, approved, deployed, paused), invalid,
                Actor.reviewer, Actor.system),
        RETEST(BuildAction.retest, EnumSet.of(available, invalid), pending, Actor.owner),

        /** Deploying a build pauses the adapter's previously deployed one, in the same transaction. */
        PAUSE_PREVIOUSLY_DEPLOYED("pause", EnumSet.of(deployed), paused, Actor.system),
        /** Disabling an adapter (its owners' action) pauses its deployed build. */
        ADAPTER_DISABLED("pause", EnumSet.of(deployed), paused, Actor.owner),
        /** Enabling it deploys again the build that disabling paused. */
        ADAPTER_ENABLED("unpause", EnumSet.of(paused), deployed, Actor.owner),
        /** Deleting an adapter deletes every build it still has. */
        ADAPTER_DELETED("delete", EnumSet.complementOf(EnumSet.of(deleted)), deleted, Actor.owner);

        private final String action;
        private final BuildAction userAction;
        private final Set<BuildState> from;
        private final BuildState to;
        private final Set<Actor> by;

        Move(String action, Set<BuildState> from, BuildState to, Actor by, Actor... alsoBy) {
            this(action, null, from, to, by, alsoBy);
        }

        Move(BuildAction userAction, Set<BuildState> from, BuildState to, Actor by, Actor... alsoBy) {
            this(userAction.name(), userAction, from, to, by, alsoBy);
        }

        Move(String action, BuildAction userAction, Set<BuildState> from, BuildState to, Actor by, Actor... alsoBy) {
            this.action = action;
            this.userAction = userAction;
            this.from = Set.copyOf(from);
            this.to = to;
            this.by = Set.copyOf(EnumSet.of(by, alsoBy));
        }

        /** The action's name in the history and in events. */
        public String action() {
            return action;
        }

        /** The public API's action for a move people ask for; empty for moves that follow from others. */
        public Optional<BuildAction> userAction() {
            return Optional.ofNullable(userAction);
        }

        public Set<BuildState> from() {
            return from;
        }

        public BuildState to() {
            return to;
        }

        public Set<Actor> by() {
            return by;
        }

        /** True when a build in {@code state} can make this move (regardless of who asks). */
        public boolean startsFrom(BuildState state) {
            return from.contains(state);
        }

        public boolean mayBeMadeBy(Set<Actor> roles) {
            return by.stream().anyMatch(roles::contains);
        }
    }

    private BuildLifecycle() {}

    /** The move people ask for with {@code action}. */
    public static Move move(BuildAction action) {
        for (Move m : Move.values()) {
            if (m.userAction == action) return m;
        }
        throw new IllegalArgumentException("no move for " + action);
    }

    /** The state an action leads to, when the state offers it (regardless of who asks). */
    public static Optional<BuildState> next(BuildState state, BuildAction action) {
        Move move = move(action);
        return move.startsFrom(state) ? Optional.of(move.to()) : Optional.empty();
    }

    public static boolean mayTake(Set<Actor> roles, BuildAction action) {
        return move(action).mayBeMadeBy(roles);
    }

    /** Actions the state offers to someone holding {@code roles}. */
    public static Set<BuildAction> allowed(BuildState state, Set<Actor> roles) {
        Set<BuildAction> result = EnumSet.noneOf(BuildAction.class);
        for (BuildAction a : offered(state)) {
            if (mayTake(roles, a)) result.add(a);
        }
        return result;
    }

    /** Every action the state offers, to anyone. */
    public static Set<BuildAction> offered(BuildState state) {
        Set<BuildAction> result = EnumSet.noneOf(BuildAction.class);
        for (Move m : Move.values()) {
            if (m.userAction != null && m.startsFrom(state)) result.add(m.userAction);
        }
        return result;
    }

    /** States from which the report may be downloaded (DESIGN §3). */
    public static boolean reportDownloadable(BuildState state) {
        return EnumSet.of(available, invalid, submitted, approved, deployed, paused).contains(state);
    }
}
