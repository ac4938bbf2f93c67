package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudTransferTest {
  @TempDir Path dir;

  @Test
  void zip_holdsTheJobFoldersFilesByRelativePath_theTokenLast() throws IOException {
    Path job = Files.createDirectories(dir.resolve("job"));
    Files.writeString(job.resolve("token.jwt"), "a.b.c");
    Files.writeString(job.resolve("manifest.json"), "{}");
    Files.writeString(Files.createDirectories(job.resolve("outputs")).resolve("z.txt"), "z");
    Files.writeString(job.resolve("executed.ipynb"), "{}");
    Path archive = dir.resolve("job.zip");

    CloudTransfer.zip(job, archive);

    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(archive); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        names.add(entry.getName());
      }
    }
    assertEquals(List.of("executed.ipynb", "manifest.json", "outputs/z.txt", "token.jwt"), names);
  }

  @Test
  void mediaUrl_isTheJsonApisDownloadOfTheObject_withItsNameEscaped() {
    CloudTransfer transfer = new CloudTransfer(HttpClient.newHttpClient(), CloudEndpoints.google(), null);

    assertEquals(URI.create(CloudEndpoints.STORAGE + "/storage/v1/b/insurer-data/o/insurance%2Freal%20rows.csv?alt=media"),
        transfer.mediaUrl(URI.create("gs://insurer-data/insurance/real%20rows.csv")));
  }
}
