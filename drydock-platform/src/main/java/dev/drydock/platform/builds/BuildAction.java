package dev.drydock.platform.builds;

/** Actions on a build, with the public API's names. */
public enum BuildAction {
    submit, approve, disapprove, deploy, pause, unpause, delete, invalidate, retest
}
