package dev.keyward.console.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretIndexTest {
    private final SecretIndex index = SecretIndex.of(List.of("team/db/password", "team/db/user", "team/api/key",
            "ops/ssh/host-key", "root-token", "teamless"));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|''|6",
            "db|''|2",
            "DB PASS|''|1",
            "key|''|2",
            "''|team/|3",
            "key|team/|1",
            "''|team/db/|2",
            "nothing|''|0"})
    void filterMatchesEveryTermIgnoringCaseWithinTheFolder(String query, String folder, int expected) {
        assertEquals(expected, index.filter(query, folder).size());
    }

    @Test
    void folderPrefixDoesNotMatchASiblingWithTheSameStart() {
        assertEquals(List.of("team/api/key", "team/db/password", "team/db/user"), index.filter("", "team/"));
    }

    @Test
    void treeCountsSecretsPerFolder() {
        SecretIndex.FolderNode root = index.tree();
        assertEquals(6, root.secrets());
        SecretIndex.FolderNode team = root.children().stream().filter(n -> n.name().equals("team")).findFirst()
                .orElseThrow();
        assertEquals(3, team.secrets());
        assertEquals("team/", team.path());
        assertEquals(2, team.children().size());
    }

    @Test
    void withAndWithoutKeepTheIndexSorted() {
        SecretIndex more = index.with("aaa/first");
        assertEquals("aaa/first", more.filter("", "").get(0));
        assertTrue(more.without("aaa/first").filter("aaa", "").isEmpty());
    }

    @Test
    void filtersOneHundredThousandPathsQuickly() {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            paths.add("team-" + (i % 100) + "/service-" + (i % 1000) + "/secret-" + i);
        }
        SecretIndex big = SecretIndex.of(paths);
        big.filter("secret-9999", "");
        long t0 = System.nanoTime();
        List<String> hits = big.filter("secret-9999", "");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(11, hits.size());
        assertTrue(ms < 500, "filtering took " + ms + " ms");
    }
}
