package dev.drydock.platform.builds;

import dev.drydock.platform.builds.BuildLifecycle.Move;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

import static dev.drydock.platform.builds.BuildState.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Every row of the lifecycle table, and every move it refuses. */
class BuildLifecycleTest {

    /** The table as DESIGN §3 draws it: move, from-states, to-state, who may make it. */
    static Stream<Arguments> rows() {
        return Stream.of(
                row(Move.PUSH, "push", EnumSet.noneOf(BuildState.class), pending, Actor.system),
                row(Move.FETCH, "fetch", EnumSet.of(pending, fetching), fetching, Actor.system),
                row(Move.TEST_PASSED, "tested", EnumSet.of(fetching), available, Actor.system),
                row(Move.TEST_FAILED, "tested", EnumSet.of(fetching), invalid, Actor.system),
                row(Move.TEST_GAVE_UP, "tested", EnumSet.of(pending, fetching), invalid, Actor.system),
                row(Move.REQUEUE, "requeue", EnumSet.of(fetching), pending, Actor.system),
                row(Move.SUBMIT, "submit", EnumSet.of(available), submitted, Actor.owner),
                row(Move.APPROVE, "approve", EnumSet.of(submitted), approved, Actor.reviewer),
                row(Move.DISAPPROVE, "disapprove", EnumSet.of(submitted), disapproved, Actor.reviewer),
                row(Move.DEPLOY, "deploy", EnumSet.of(approved), deployed, Actor.owner),
                row(Move.PAUSE, "pause", EnumSet.of(deployed), paused, Actor.owner),
                row(Move.UNPAUSE, "unpause", EnumSet.of(paused), deployed, Actor.owner),
                row(Move.DELETE, "delete", EnumSet.of(pending, available, invalid, approved, disapproved, deployed, paused),
                        deleted, Actor.owner),
                row(Move.INVALIDATE, "invalidate", EnumSet.of(available, submitted, approved, deployed, paused), invalid,
                        Actor.reviewer, Actor.system),
                row(Move.RETEST, "retest", EnumSet.of(available, invalid), pending, Actor.owner),
                row(Move.PAUSE_PREVIOUSLY_DEPLOYED, "pause", EnumSet.of(deployed), paused, Actor.system),
                row(Move.ADAPTER_DISABLED, "pause", EnumSet.of(deployed), paused, Actor.owner),
                row(Move.ADAPTER_ENABLED, "unpause", EnumSet.of(paused), deployed, Actor.owner),
                row(Move.ADAPTER_DELETED, "delete", EnumSet.complementOf(EnumSet.of(deleted)), deleted, Actor.owner));
    }

    private static Arguments row(Move move, String action, Set<BuildState> from, BuildState to, Actor... by) {
        return Arguments.of(move, action, from, to, EnumSet.copyOf(Arrays.asList(by)));
    }

    @Test
    void theTableHasEveryMoveOnce() {
        assertThat(rows().map(a -> (Move) a.get()[0])).containsExactlyInAnyOrder(Move.values());
    }

    @ParameterizedTest
    @MethodSource("rows")
    void eachRowSaysFromToAndWho(Move move, String action, Set<BuildState> from, BuildState to, Set<Actor> by) {
        assertThat(move.action()).isEqualTo(action);
        assertThat(move.from()).isEqualTo(from);
        assertThat(move.to()).isEqualTo(to);
        assertThat(move.by()).isEqualTo(by);
        for (BuildState state : BuildState.values()) {
            assertThat(move.startsFrom(state)).as("%s from %s", move, state).isEqualTo(from.contains(state));
        }
        for (Actor actor : Actor.values()) {
            assertThat(move.mayBeMadeBy(EnumSet.of(actor))).as("%s by %s", move, actor).isEqualTo(by.contains(actor));
        }
        assertThat(move.mayBeMadeBy(EnumSet.noneOf(Actor.class))).as("nobody").isFalse();
    }

    @ParameterizedTest
    @EnumSource(BuildAction.class)
    void eachUserActionIsOneMoveAndNextFollowsIt(BuildAction action) {
        Move move = BuildLifecycle.move(action);
        assertThat(move.userAction()).contains(action);
        assertThat(move.action()).isEqualTo(action.name());
        for (BuildState state : BuildState.values()) {
            assertThat(BuildLifecycle.next(state, action)).as("%s in %s", action, state)
                    .isEqualTo(move.startsFrom(state) ? java.util.Optional.of(move.to()) : java.util.Optional.empty());
        }
    }

    @Test
    void movesThatFollowFromOthersAreNotUserActions() {
        for (Move m : EnumSet.of(Move.PUSH, Move.FETCH, Move.TEST_PASSED, Move.TEST_FAILED, Move.TEST_GAVE_UP, Move.REQUEUE,
                Move.PAUSE_PREVIOUSLY_DEPLOYED, Move.ADAPTER_DISABLED, Move.ADAPTER_ENABLED, Move.ADAPTER_DELETED)) {
            assertThat(m.userAction()).as("%s", m).isEmpty();
        }
    }

    @Test
    void offeredActionsPerState() {
        assertThat(BuildLifecycle.offered(pending)).containsExactly(BuildAction.delete);
        assertThat(BuildLifecycle.offered(fetching)).isEmpty();
        assertThat(BuildLifecycle.offered(available)).containsExactlyInAnyOrder(
                BuildAction.submit, BuildAction.delete, BuildAction.invalidate, BuildAction.retest);
        assertThat(BuildLifecycle.offered(invalid)).containsExactlyInAnyOrder(BuildAction.delete, BuildAction.retest);
        assertThat(BuildLifecycle.offered(submitted)).containsExactlyInAnyOrder(
                BuildAction.approve, BuildAction.disapprove, BuildAction.invalidate);
        assertThat(BuildLifecycle.offered(approved)).containsExactlyInAnyOrder(
                BuildAction.deploy, BuildAction.delete, BuildAction.invalidate);
        assertThat(BuildLifecycle.offered(disapproved)).containsExactly(BuildAction.delete);
        assertThat(BuildLifecycle.offered(deployed)).containsExactlyInAnyOrder(
                BuildAction.pause, BuildAction.delete, BuildAction.invalidate);
        assertThat(BuildLifecycle.offered(paused)).containsExactlyInAnyOrder(
                BuildAction.unpause, BuildAction.delete, BuildAction.invalidate);
        assertThat(BuildLifecycle.offered(deleted)).isEmpty();
    }

    @Test
    void allowedKeepsOnlyWhatTheRolesMayTake() {
        assertThat(BuildLifecycle.allowed(available, EnumSet.of(Actor.owner))).containsExactlyInAnyOrder(
                BuildAction.submit, BuildAction.delete, BuildAction.retest);
        assertThat(BuildLifecycle.allowed(available, EnumSet.of(Actor.reviewer))).containsExactly(BuildAction.invalidate);
        assertThat(BuildLifecycle.allowed(submitted, EnumSet.of(Actor.owner))).isEmpty();
        assertThat(BuildLifecycle.allowed(submitted, EnumSet.of(Actor.owner, Actor.reviewer))).containsExactlyInAnyOrder(
                BuildAction.approve, BuildAction.disapprove, BuildAction.invalidate);
        assertThat(BuildLifecycle.allowed(deployed, EnumSet.noneOf(Actor.class))).isEmpty();
    }

    @Test
    void aReviewerMayNotTakeOwnerActionsNorAnOwnerReviewerOnes() {
        assertThat(BuildLifecycle.mayTake(EnumSet.of(Actor.reviewer), BuildAction.deploy)).isFalse();
        assertThat(BuildLifecycle.mayTake(EnumSet.of(Actor.owner), BuildAction.approve)).isFalse();
        assertThat(BuildLifecycle.mayTake(EnumSet.of(Actor.system), BuildAction.invalidate)).isTrue();
        assertThat(BuildLifecycle.mayTake(EnumSet.of(Actor.system), BuildAction.delete)).isFalse();
    }

    @Test
    void reportIsDownloadableOnceTested() {
        assertThat(EnumSet.allOf(BuildState.class).stream().filter(BuildLifecycle::reportDownloadable))
                .containsExactlyInAnyOrder(available, invalid, submitted, approved, deployed, paused);
    }
}
