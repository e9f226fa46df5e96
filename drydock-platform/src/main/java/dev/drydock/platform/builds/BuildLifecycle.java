package dev.drydock.platform.builds;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.drydock.platform.builds.BuildAction.*;
import static dev.drydock.platform.builds.BuildState.*;

/**
 * The build state machine as one table: for each state, the actions it offers and where each leads, and who
 * may take each action. Everything else (persistence, side effects such as pausing the previously deployed
 * build) lives in {@link BuildService}; this class only answers "may X do A in state S, and what follows".
 */
public final class BuildLifecycle {

    /** state → (action → next state). */
    private static final Map<BuildState, Map<BuildAction, BuildState>> TABLE = Map.of(
            pending, Map.of(delete, deleted),
            fetching, Map.of(),
            available, Map.of(submit, submitted, delete, deleted, invalidate, invalid, retest, pending),
            invalid, Map.of(delete, deleted, retest, pending),
            submitted, Map.of(approve, approved, disapprove, disapproved, invalidate, invalid),
            approved, Map.of(deploy, deployed, delete, deleted, invalidate, invalid),
            disapproved, Map.of(delete, deleted),
            deployed, Map.of(pause, paused, delete, deleted, invalidate, invalid),
            paused, Map.of(unpause, deployed, delete, deleted, invalidate, invalid),
            deleted, Map.of());

    /** Who may take each action. */
    private static final Map<BuildAction, Set<Actor>> WHO = Map.of(
            submit, EnumSet.of(Actor.owner),
            approve, EnumSet.of(Actor.reviewer),
            disapprove, EnumSet.of(Actor.reviewer),
            deploy, EnumSet.of(Actor.owner),
            pause, EnumSet.of(Actor.owner),
            unpause, EnumSet.of(Actor.owner),
            delete, EnumSet.of(Actor.owner),
            invalidate, EnumSet.of(Actor.reviewer, Actor.system),
            retest, EnumSet.of(Actor.owner));

    private BuildLifecycle() {}

    /** The state an action leads to, when the state offers it (regardless of who asks). */
    public static Optional<BuildState> next(BuildState state, BuildAction action) {
        return Optional.ofNullable(TABLE.get(state).get(action));
    }

    public static boolean mayTake(Set<Actor> roles, BuildAction action) {
        return WHO.get(action).stream().anyMatch(roles::contains);
    }

    /** Actions the state offers to someone holding {@code roles}. */
    public static Set<BuildAction> allowed(BuildState state, Set<Actor> roles) {
        Set<BuildAction> result = EnumSet.noneOf(BuildAction.class);
        for (BuildAction a : TABLE.get(state).keySet()) {
            if (mayTake(roles, a)) result.add(a);
        }
        return result;
    }

    /** Every action the state offers, to anyone. */
    public static Set<BuildAction> offered(BuildState state) {
        Set<BuildAction> result = EnumSet.noneOf(BuildAction.class);
        result.addAll(TABLE.get(state).keySet());
        return result;
    }

    /** States from which the report may be downloaded (DESIGN §3). */
    public static boolean reportDownloadable(BuildState state) {
        return EnumSet.of(available, invalid, submitted, approved, deployed, paused).contains(state);
    }
}
