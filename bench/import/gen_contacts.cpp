// Deterministic contact CSV generator for the import benchmark.
//   import_gen <out.csv> <out_dnc.txt> [rows=1000000] [seed=20261122]
// Rows: first_name,last_name,phone,email,state,timezone,tags,external_id,company
// Phones: ~92% US in mixed formats (with ~1% repeats), ~5% international, ~2% junk, ~1% other
// NANP (Canada/Caribbean). The DNC file holds ~1M 10-digit numbers, ~10% of them from the CSV.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

const char* const kFirst[] = {"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael",
                              "Linda", "William", "Elizabeth", "David", "Barbara", "Maria", "Jose",
                              "Wei", "Aisha", "Olga", "Kenji", "Fatima", "Liam"};
const char* const kLast[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
                             "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
                             "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "O'Brien", "Nguyen"};
// US area codes in service (libphonenumber metadata 8.12 accepts all of them).
const int kNpa[] = {201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218,
                    219, 224, 225, 228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260,
                    262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308, 309, 310, 312,
                    313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330, 334, 336, 337, 339,
                    347, 351, 352, 360, 361, 385, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410,
                    412, 413, 414, 415, 417, 419, 423, 424, 425, 430, 432, 434, 435, 440, 443, 469,
                    470, 475, 478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509, 510, 512,
                    513, 515, 516, 517, 518, 520, 530, 540, 541, 551, 559, 561, 562, 563, 567, 570,
                    571, 573, 574, 580, 585, 586, 601, 602, 603, 605, 606, 607, 608, 609, 610, 612,
                    614, 615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636, 641, 646, 650, 651,
                    660, 661, 662, 678, 682, 701, 702, 703, 704, 706, 707, 708, 712, 713, 714, 715,
                    716, 717, 718, 719, 720, 724, 727, 731, 732, 734, 740, 754, 757, 760, 763, 765,
                    770, 772, 773, 774, 775, 781, 785, 786, 801, 802, 803, 804, 805, 806, 808, 810,
                    812, 813, 814, 815, 816, 817, 818, 828, 830, 831, 832, 843, 845, 847, 848, 850,
                    856, 857, 858, 859, 860, 862, 863, 864, 865, 870, 878, 901, 903, 904, 906, 907,
                    908, 909, 910, 912, 913, 914, 915, 916, 917, 918, 919, 920, 925, 928, 931, 936,
                    937, 940, 941, 947, 949, 951, 952, 954, 956, 970, 971, 972, 973, 978, 979, 980,
                    985, 989, 787, 939};
const int kOtherNanp[] = {416, 604, 514, 403, 613, 876, 242, 246, 441, 809};
const char* const kStates[] = {"NY", "CA", "TX", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "wa",
                               "az", "MA", "NJ", "VA", "XX", "", "Calif."};
const char* const kZones[] = {"America/New_York", "America/Chicago", "America/Denver",
                              "America/Los_Angeles", "America/Phoenix", "Pacific/Honolulu",
                              "", "", "EST", "America/Puerto_Rico"};
const char* const kTags[] = {"", "vip", "vip;q3", "new|warm", "lead; followup", "cold"};
const char* const kCompanies[] = {"Acme", "\"Acme, Inc.\"", "Globex", "\"Initech \"\"West\"\"\"",
                                  "Umbrella", "", "Stark Industries", "Wayne Enterprises"};
const char* const kJunk[] = {"", "n/a", "unknown", "123", "555-1234", "call me",
                             "(000) 000-0000", "1-800-FLOWERS", "212-456-7890 x12",
                             "+1 (212) 456-78", "911", "(555) 234-5678", "411-234-5678",
                             "(212) 555-0123", "tel: 2124567890", "00000"};
const char* const kIntl[] = {"+44 20 7946 %04d", "+33 1 42 68 %02d %02d", "+49 30 %07d",
                             "+52 55 %04d %04d", "+91 98%08d", "+61 2 9%03d %04d",
                             "+81 3-%04d-%04d", "011 44 7700 9%05d"};

template <typename T, std::size_t N>
constexpr std::size_t count_of(T (&)[N]) {
  return N;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s out.csv out_dnc.txt [rows] [seed]\n", argv[0]);
    return 2;
  }
  const long rows = argc > 3 ? std::atol(argv[3]) : 1000000;
  const unsigned long seed = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 20261122UL;
  std::mt19937_64 rng(seed);
  auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };

  std::FILE* out = std::fopen(argv[1], "w");
  std::FILE* dnc = std::fopen(argv[2], "w");
  if (out == nullptr || dnc == nullptr) {
    std::perror("open");
    return 1;
  }
  static char iobuf[1 << 20];
  std::setvbuf(out, iobuf, _IOFBF, sizeof iobuf);
  std::fputs("first_name,last_name,phone,email,state,timezone,tags,external_id,company\n", out);

  std::vector<long long> recent;  // for in-file duplicates
  long dnc_written = 0;
  char phone[64];
  for (long i = 0; i < rows; ++i) {
    const std::size_t kind = pick(1000);
    if (kind < 920) {
      long long npa = kNpa[pick(count_of(kNpa))];
      long long nxx = 200 + static_cast<long long>(pick(800));
      long long line = static_cast<long long>(pick(10000));
      if (kind < 10 && !recent.empty()) {  // ~1% repeats of an earlier number
        long long n = recent[pick(recent.size())];
        npa = n / 10000000, nxx = n / 10000 % 1000, line = n % 10000;
      }
      long long n = npa * 10000000 + nxx * 10000 + line;
      if (recent.size() < 50000) recent.push_back(n);
      if (pick(10) == 0) {
        std::fprintf(dnc, "%lld\n", n);
        ++dnc_written;
      }
      switch (pick(9)) {
        case 0: std::snprintf(phone, sizeof phone, "(%lld) %03lld-%04lld", npa, nxx, line); break;
        case 1: std::snprintf(phone, sizeof phone, "%lld-%03lld-%04lld", npa, nxx, line); break;
        case 2: std::snprintf(phone, sizeof phone, "%lld.%03lld.%04lld", npa, nxx, line); break;
        case 3: std::snprintf(phone, sizeof phone, "%lld%03lld%04lld", npa, nxx, line); break;
        case 4: std::snprintf(phone, sizeof phone, "+1%lld%03lld%04lld", npa, nxx, line); break;
        case 5: std::snprintf(phone, sizeof phone, "+1 %lld %03lld %04lld", npa, nxx, line); break;
        case 6: std::snprintf(phone, sizeof phone, "1-%lld-%03lld-%04lld", npa, nxx, line); break;
        case 7: std::snprintf(phone, sizeof phone, "1 (%lld) %03lld-%04lld", npa, nxx, line); break;
        default: std::snprintf(phone, sizeof phone, " %lld/%03lld-%04lld ", npa, nxx, line); break;
      }
    } else if (kind < 930) {
      std::snprintf(phone, sizeof phone, "+1 %d %03d %04d", kOtherNanp[pick(count_of(kOtherNanp))],
                    200 + static_cast<int>(pick(800)), static_cast<int>(pick(10000)));
    } else if (kind < 980) {
      const char* fmt = kIntl[pick(count_of(kIntl))];
      int a = static_cast<int>(pick(10000)), b = static_cast<int>(pick(10000));
      if (fmt == kIntl[2]) a = static_cast<int>(pick(10000000));
      if (fmt == kIntl[4]) a = static_cast<int>(pick(100000000));
      if (fmt == kIntl[1]) a %= 100, b %= 100;
      if (fmt == kIntl[5]) a %= 1000;
      if (fmt == kIntl[7]) a = static_cast<int>(pick(100000));
      std::snprintf(phone, sizeof phone, fmt, a, b);
    } else {
      std::snprintf(phone, sizeof phone, "%s", kJunk[pick(count_of(kJunk))]);
    }
    const char* first = kFirst[pick(count_of(kFirst))];
    const char* last = kLast[pick(count_of(kLast))];
    std::fprintf(out, "%s,%s,%s,%s.%s%ld@example.com,%s,%s,%s,%ld,%s\n", first, last, phone, first,
                 last, i, kStates[pick(count_of(kStates))], kZones[pick(count_of(kZones))],
                 kTags[pick(count_of(kTags))], i, kCompanies[pick(count_of(kCompanies))]);
  }
  // Fill the DNC copy to ~1M numbers with random NANP numbers.
  std::mt19937_64 drng(seed ^ 0x5eedULL);
  for (long k = dnc_written; k < 1000000; ++k) {
    long long n = kNpa[drng() % count_of(kNpa)] * 10000000LL +
                  (200 + static_cast<long long>(drng() % 800)) * 10000 +
                  static_cast<long long>(drng() % 10000);
    std::fprintf(dnc, "%lld\n", n);
  }
  std::fclose(out);
  std::fclose(dnc);
  return 0;
}
