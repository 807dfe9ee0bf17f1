/*
 * floor.c — the floor of the benchmark: the bare libpcap read loop.
 *
 *     sipscope-floor FILE
 *
 * Opens FILE with pcap_open_offline and calls pcap_next_ex over every
 * packet, counting packets and captured bytes, nothing else: what any tool
 * built on libpcap pays just to read the capture.  Prints
 * "PACKETS packets, BYTES bytes" on standard output.
 */
#include <inttypes.h>
#include <stdio.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sipscope-floor FILE\n");
		return 2;
	}
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "sipscope-floor: %s\n", errbuf);
		return 3;
	}
	uint64_t packets = 0, bytes = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
	}
	int status = 0;
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "sipscope-floor: %s\n", pcap_geterr(p));
		status = 4;
	}
	pcap_close(p);
	printf("%" PRIu64 " packets, %" PRIu64 " bytes\n", packets, bytes);
	return status;
}
