package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the sandbox reads about a container from the host side, without a container: its memory-backed filesystems from
 * a mount table (as Podman 4.3 gives one), and the engine's host directories kept out of what the run reports.
 */
class HostSideFactsTest {
    /** Podman 4.3 (vfs, runc): the mount table a container saw, with this machine's layout in it. */
    private static final List<String> MOUNTINFO = List.of(
            "71 47 254:0 /srv/drydock/podman/storage/vfs/dir/9d60 / rw,relatime - ext4 /dev/vda rw",
            "72 71 0:42 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
            "74 71 0:43 / /dev rw,nosuid,noexec - tmpfs tmpfs rw,size=65536k,mode=755",
            "75 71 0:44 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro",
            "78 74 0:39 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=64000k",
            "79 71 254:0 /srv/drydock/podman/run/vfs-containers/297e/userdata/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw",
            "82 75 0:46 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755",
            "52 72 0:47 / /proc/acpi ro,relatime - tmpfs tmpfs ro",
            "53 72 0:43 /null /proc/keys rw,nosuid,noexec - tmpfs tmpfs rw,size=65536k,mode=755",
            "90 71 0:50 / /ro-cache ro,relatime - tmpfs tmpfs ro");

    @Test
    void everyWritableTmpfsOnceOutsideProcAndSys(@TempDir Path proc) throws IOException {
        for (String mount : List.of("dev", "dev/shm")) Files.createDirectories(proc.resolve("root").resolve(mount));
        Map<String, Long> use = DockerEngineRunner.memoryFilesystemUse(proc, MOUNTINFO);
        // the directories here are on the test machine's disk: only which mounts are read matters
        assertThat(use).containsOnlyKeys("/dev", "/dev/shm");
        assertThat(use.values()).allMatch(bytes -> bytes >= 0);
    }

    @Test
    void theEnginesDirectoriesBecomeANeutralName() {
        List<String> paths = Sandbox.hostPathForms(List.of("/srv/drydock/podman/storage", "/srv/drydock/podman/run"));
        assertThat(Sandbox.hideHostPaths(MOUNTINFO.getFirst(), paths))
                .isEqualTo("71 47 254:0 <engine-storage>/vfs/dir/9d60 / rw,relatime - ext4 /dev/vda rw");
        assertThat(Sandbox.hideHostPaths(MOUNTINFO.get(5), paths))
                .isEqualTo("79 71 254:0 <engine-storage>/vfs-containers/297e/userdata/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw");
        // the data directory a mount point of its own: the table names paths from that filesystem's root
        assertThat(Sandbox.hideHostPaths("9 1 8:1 /podman/storage/vfs/dir/9d60 / rw - xfs /dev/sdb rw", paths))
                .isEqualTo("9 1 8:1 <engine-storage>/vfs/dir/9d60 / rw - xfs /dev/sdb rw");
        assertThat(Sandbox.hideHostPaths("nothing of the host here: /etc/hosts /storage", paths))
                .isEqualTo("nothing of the host here: /etc/hosts /storage");
    }
}
