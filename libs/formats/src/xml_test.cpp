#include "xml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "strava1/formats/parse.hpp"
#include "text_values.hpp"
#include "xml_test_support.hpp"

namespace strava1::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

/// Writes every event as a line: "+name a=v", "-name 'text'".
class Recorder final : public xml::Handler {
public:
    bool StartElement(xml::Reader& reader, std::string_view name, const xml::Attributes& attributes) override {
        std::string line = "+" + std::string(name);
        for (const char* attribute : {"lat", "lon", "id"}) {
            if (auto value = attributes.Find(attribute)) {
                line += " " + std::string(attribute) + "=" + std::string(*value);
            }
        }
        events.push_back(line);
        names.emplace_back(name);
        depths.push_back(reader.Depth());
        if (fail_on == name || ++starts == fail_at_start) {
            reader.Fail("refused by the handler");
        }
        return true;
    }
    void EndElement(xml::Reader& /*reader*/, std::string_view text) override {
        events.push_back("-" + names.back() + " '" + std::string(text::Trim(text)) + "'");
        names.pop_back();
    }

    std::vector<std::string> events;
    std::vector<std::string> names;
    std::vector<std::size_t> depths;
    std::string fail_on;
    std::size_t fail_at_start = 0;  // refuse the n-th start tag (1-based), if not 0
    std::size_t starts = 0;
};

std::string Describe(const std::optional<ParseError>& error) {
    if (!error) {
        return "accepted";
    }
    return error->Describe() + " @" + std::to_string(error->byte_offset.value_or(0));
}

/// Parses with expat into `recorder` and, unless the fast engine defers to expat, checks that the
/// fast engine gave exactly the same events and the same verdict.
std::optional<ParseError> ParseWith(std::string_view document, Recorder& recorder, const Limits& limits = {}) {
    Recorder fast;
    fast.fail_on = recorder.fail_on;
    fast.fail_at_start = recorder.fail_at_start;
    const xml::Outcome fast_outcome = xml::Parse(xml::Engine::kFast, document, limits, fast);
    xml::Outcome expat_outcome = xml::Parse(xml::Engine::kExpat, document, limits, recorder);
    EXPECT_FALSE(expat_outcome.needs_expat);
    if (!fast_outcome.needs_expat) {
        EXPECT_EQ(fast.events, recorder.events) << "engines disagree on: " << document.substr(0, 300);
        EXPECT_EQ(Describe(fast_outcome.error), Describe(expat_outcome.error))
            << "engines disagree on: " << document.substr(0, 300);
    }
    return std::move(expat_outcome.error);
}

bool FastDecides(std::string_view document) {
    Recorder recorder;
    return !xml::Parse(xml::Engine::kFast, document, Limits{}, recorder).needs_expat;
}

TEST(Xml, ReportsElementsByLocalNameWithTextAndAttributes) {
    Recorder recorder;
    const auto error = ParseWith(
        "<?xml version=\"1.0\"?>\n<a:root xmlns:a=\"urn:x\"><p:pt lat=\"1.5\" p:lon=\"2\"><ele> 12 </ele>"
        "<n><![CDATA[x < y]]> &amp; &#233;</n></p:pt><undeclared:hr>7</undeclared:hr></a:root>",
        recorder);
    ASSERT_FALSE(error) << error->Describe();
    EXPECT_THAT(recorder.events, ElementsAre("+root", "+pt lat=1.5 lon=2", "+ele", "-ele '12'", "+n",
                                             "-n 'x < y & \xc3\xa9'", "-pt ''", "+hr", "-hr '7'", "-root ''"));
    EXPECT_THAT(recorder.depths, ElementsAre(1, 2, 3, 3, 2));
}

TEST(Xml, MixedContentGivesTheTextAfterTheLastChild) {
    Recorder recorder;
    ASSERT_FALSE(ParseWith("<a>before<b>inner</b>after</a>", recorder));
    EXPECT_THAT(recorder.events, ElementsAre("+a", "+b", "-b 'inner'", "-a 'after'"));
}

TEST(Xml, AcceptsUtf8BomLatin1Windows1252AndUtf16) {
    {
        Recorder recorder;
        ASSERT_FALSE(ParseWith("\xef\xbb\xbf<a>\xc3\xa9</a>", recorder));
        EXPECT_EQ(recorder.events.back(), "-a '\xc3\xa9'");
    }
    {
        Recorder recorder;
        ASSERT_FALSE(ParseWith("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>", recorder));
        EXPECT_EQ(recorder.events.back(), "-a '\xc3\xa9'");
    }
    {
        Recorder recorder;
        ASSERT_FALSE(ParseWith("<?xml version=\"1.0\" encoding=\"Windows-1252\"?><a>\x80\x92</a>", recorder));
        EXPECT_EQ(recorder.events.back(), "-a '\xe2\x82\xac\xe2\x80\x99'");  // euro sign, right quote
    }
    {
        Recorder recorder;
        const std::string utf16("\xff\xfe<\0a\0>\0z\0<\0/\0a\0>\0", 18);
        ASSERT_FALSE(ParseWith(utf16, recorder));
        EXPECT_EQ(recorder.events.back(), "-a 'z'");
    }
}

TEST(Xml, UnknownEncodingIsRefused) {
    Recorder recorder;
    const auto error = ParseWith("<?xml version=\"1.0\" encoding=\"x-klingon\"?><a/>", recorder);
    ASSERT_TRUE(error);
    EXPECT_THAT(error->reason, HasSubstr("encoding"));
}

TEST(Xml, MalformedXmlNamesLineColumnByteAndPath) {
    Recorder recorder;
    const auto error = ParseWith("<gpx>\n  <trk>\n    <name>x</nam>\n", recorder);
    ASSERT_TRUE(error);
    EXPECT_THAT(error->reason, HasSubstr("malformed XML: mismatched tag"));
    EXPECT_EQ(error->line, 3u);
    EXPECT_EQ(error->column, 14u);
    EXPECT_EQ(error->byte_offset, 27u);
    EXPECT_EQ(error->context, "gpx/trk/name");
    EXPECT_EQ(error->Describe(), "line 3, column 14 (gpx/trk/name): malformed XML: mismatched tag");
}

TEST(Xml, UnclosedTagsAndTruncatedDocumentsAreRefused) {
    Recorder recorder;
    const auto error = ParseWith("<gpx><trk><trkseg>", recorder);
    ASSERT_TRUE(error);
    EXPECT_THAT(error->reason, HasSubstr("no element found"));
    EXPECT_EQ(error->context, "gpx/trk/trkseg");

    Recorder second;
    const auto junk = ParseWith("<gpx></gpx><gpx/>", second);
    ASSERT_TRUE(junk);
    EXPECT_THAT(junk->reason, HasSubstr("junk after document element"));
}

TEST(Xml, EmptyAndWhitespaceOnlyInputsAreRefused) {
    Recorder recorder;
    const auto empty = ParseWith("", recorder);
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->reason, "empty file");
    const auto blank = ParseWith("  \n ", recorder);
    ASSERT_TRUE(blank);
    EXPECT_THAT(blank->reason, HasSubstr("no element found"));
}

TEST(Xml, HandlerFailurePointsAtTheElementStartTag) {
    Recorder recorder;
    recorder.fail_on = "trkpt";
    const auto error = ParseWith("<gpx>\n<trk><trkseg>\n<trkpt/>\n<trkpt/>\n</trkseg></trk></gpx>", recorder);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, "refused by the handler");
    EXPECT_EQ(error->line, 3u);
    EXPECT_EQ(error->column, 1u);
    EXPECT_EQ(error->context, "gpx/trk/trkseg/trkpt");
}

TEST(Xml, PathCountsSameNameSiblings) {
    Recorder recorder;
    recorder.fail_on = "bad";
    const auto error = ParseWith("<gpx><trk/><trk><seg><pt/><pt/><x/><pt><bad/></pt></seg></trk></gpx>", recorder);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->context, "gpx/trk[2]/seg/pt[3]/bad");
}

TEST(Xml, ColumnsCountCharactersNotBytes) {
    Recorder recorder;
    recorder.fail_on = "b";
    const auto error = ParseWith("<a>\xc3\xa9\xc3\xa9<b/></a>", recorder);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->column, 6u);
    EXPECT_EQ(error->byte_offset, 7u);
}

TEST(Xml, DepthBombIsRefusedAtTheLimit) {
    std::string bomb;
    for (int level = 0; level < 100000; ++level) {
        bomb += "<a>";
    }
    Recorder recorder;
    Limits limits;
    limits.max_xml_depth = 64;
    const auto error = ParseWith(bomb, recorder, limits);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, "elements nested deeper than 64 levels");
    EXPECT_EQ(error->byte_offset, 64u * 3);
    EXPECT_THAT(error->context, HasSubstr("/…/"));  // long paths are shortened
    EXPECT_EQ(recorder.events.size(), 64u);
}

TEST(Xml, BillionLaughsIsRefusedBeforeAnyExpansion) {
    std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
    for (int level = 1; level < 10; ++level) {
        doc += " <!ENTITY lol" + std::to_string(level) + " \"";
        for (int copy = 0; copy < 10; ++copy) {
            doc += "&lol" + (level == 1 ? std::string() : std::to_string(level - 1)) + ";";
        }
        doc += "\">\n";
    }
    doc += "]>\n<gpx>&lol9;</gpx>";
    Recorder recorder;
    const auto error = ParseWith(doc, recorder);
    ASSERT_TRUE(error);
    EXPECT_THAT(error->reason, HasSubstr("entity declarations are not accepted"));
    EXPECT_EQ(error->line, 3u);
    EXPECT_TRUE(recorder.events.empty());
}

TEST(Xml, ExternalEntityIsNeverRead) {
    Recorder recorder;
    const auto error = ParseWith(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<gpx><name>&x;</name></gpx>",
        recorder);
    ASSERT_TRUE(error);
    EXPECT_THAT(error->reason, HasSubstr("external entity"));
    EXPECT_TRUE(recorder.events.empty());
}

TEST(Xml, ParameterEntitiesAndExternalDtdsAreNeverLoaded) {
    {
        Recorder recorder;
        const auto error =
            ParseWith("<!DOCTYPE gpx [<!ENTITY % remote SYSTEM \"file:///etc/passwd\"> %remote;]><gpx/>", recorder);
        ASSERT_TRUE(error);
        EXPECT_THAT(error->reason, HasSubstr("<!ENTITY % remote"));
    }
    {
        // An external subset is not fetched; an entity it might have declared stays undeclared.
        Recorder recorder;
        const auto error =
            ParseWith("<!DOCTYPE gpx SYSTEM \"file:///etc/passwd\"><gpx><name>&root;</name></gpx>", recorder);
        ASSERT_TRUE(error);
        EXPECT_THAT(error->reason, HasSubstr("undeclared entity &root;"));
        EXPECT_EQ(error->context, "gpx/name");
    }
    {
        // Without references a plain DOCTYPE is harmless and accepted.
        Recorder recorder;
        EXPECT_FALSE(ParseWith("<!DOCTYPE gpx SYSTEM \"file:///etc/passwd\"><gpx><name>n</name></gpx>", recorder));
        EXPECT_EQ(recorder.events.back(), "-gpx ''");
    }
}

TEST(Xml, UndefinedEntityIsRefused) {
    Recorder recorder;
    const auto error = ParseWith("<gpx>&nbsp;</gpx>", recorder);
    ASSERT_TRUE(error);
    EXPECT_THAT(error->reason, HasSubstr("undefined entity"));
}

TEST(Xml, OverlongTextIsRefused) {
    Recorder recorder;
    const std::string doc = "<a>" + std::string(xml::kMaxTextBytes + 1, 'x') + "</a>";
    const auto error = ParseWith(doc, recorder);
    ASSERT_TRUE(error);
    EXPECT_THAT(error->reason, HasSubstr("element text longer than"));
}

TEST(XmlEngines, FastEngineDecidesWhatDevicesWrite) {
    for (const char* fixture :
         {"gpx/ride_two_segments.gpx", "gpx/gpx10_speed_no_namespace.gpx", "gpx/routes_and_waypoints.gpx",
          "gpx/bom_prefixed.gpx", "tcx/run_two_laps.tcx", "tcx/ride_power_and_course.tcx"}) {
        const std::string document = testing::Fixture(fixture);
        ASSERT_FALSE(document.empty()) << fixture;
        EXPECT_TRUE(FastDecides(document)) << fixture;
        Recorder recorder;
        EXPECT_FALSE(ParseWith(document, recorder)) << fixture;
    }
}

TEST(XmlEngines, FastEngineDefersToExpat) {
    for (const char* document : {
             "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>",  // another encoding
             "<?xml version=\"1.0\" encoding=\"windows-1252\"?><a/>",
             "<!DOCTYPE a><a/>",          // any DOCTYPE
             "<a>&nbsp;</a>",             // unknown entity
             "<a>\xff</a>",               // invalid UTF-8
             "<a><b></a>",                // not well-formed
             "<a>",                       // unclosed
             "<a/><b/>",                  // two roots
             "<\xc3\xa9l\xc3\xa9ment/>",  // non-ASCII names
             "<?xml version=\"1.1\"?><a/>",
         }) {
        EXPECT_FALSE(FastDecides(document)) << document;
    }
    EXPECT_FALSE(FastDecides(std::string("\xff\xfe<\0a\0/\0>\0", 10)));  // UTF-16
}

// Documents on the edges of what the fast engine accepts: both engines must agree on each (the
// events, or the refusal with its position), or the fast one must defer.
TEST(XmlEngines, AgreeOnEdgeCases) {
    const char* const documents[] = {
        "<a/>",
        "<a></a>",
        "<a x='1' y=\"2\"/>",
        "<a x = '1'\n\ty\r\n=\"2\" />",
        "<a x='1'y='2'/>",
        "<a x='1' x='2'/>",
        "<a x='&lt;&#65;&#x42;&amp;&quot;&apos;&gt;'/>",
        "<a x='tab\tlf\ncr\rcrlf\r\nend'/>",
        "<a x='&#9;&#10;&#13;'/>",
        "<a x='<'/>",
        "<a x='&bogus;'/>",
        "<a x='&#0;'/>",
        "<a x='&#xD800;'/>",
        "<a x='&#x110000;'/>",
        "<a x='\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'/>",
        "<a x='\xc0\xaf'/>",
        "<a x='\xed\xa0\x80'/>",
        "<a x='\xef\xbf\xbe'/>",
        "<a x='1>2'/>",
        "<a x=1/>",
        "<a>text &amp; more &#x20AC; \xc3\xa9</a>",
        "<a>cr\rlf\ncrlf\r\n</a>",
        "<a><![CDATA[<raw> & ]] \r\n]]></a>",
        "<a><![CDATA[unterminated</a>",
        "<a>]]></a>",
        "<a>]]]</a>",
        "<a>before<!-- comment -->after</a>",
        "<a><!-- bad -- comment --></a>",
        "<a><!-- ends badly ---></a>",
        "<a><?pi data?>x</a>",
        "<a><?xml x?></a>",
        "<?xml version='1.0'?><a/>",
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\" ?>\n<a/>",
        "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
        "<?xml  version=\"1.0\"?><a/>",
        "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>",
        " <?xml version=\"1.0\"?><a/>",
        "\xef\xbb\xbf<a/>",
        "<!-- prolog --><?pi?>\n<a/>\n<!-- epilog -->\n",
        "<a/>junk",
        "<a/>  \n",
        "  ",
        "<a>\x01</a>",
        "<a>\x7f</a>",
        "<a>\t</a>",
        "<a></b>",
        "<a></a >",
        "<a></ a>",
        "<a/ >",
        "<a:b:c/>",
        "<:a/>",
        "<-a/>",
        "<a.b-c_d/>",
        "<a><b><c/></b></a>",
        "<a>x<b>y</b>z</a>",
        "<a>&#x1F600;&#128512;</a>",
        "<a>&#xFFFE;</a>",
        "<a>&#;</a>",
        "<a>&#x;</a>",
        "<a>&#X41;</a>",
        "<a>&amp</a>",
        "<a x='1' ",
        "<a",
        "<",
        "<a>",
        "<a></a",
    };
    for (const char* document : documents) {
        Recorder recorder;
        ParseWith(document, recorder);
    }
    // Handler refusals, limits and over-long text are decided by both engines in the same words.
    for (const char* document : {"<gpx><trk><bad/></trk></gpx>", "<a>\n<bad x='1'>text</bad></a>"}) {
        Recorder recorder;
        recorder.fail_on = "bad";
        ASSERT_TRUE(ParseWith(document, recorder)) << document;
        EXPECT_TRUE(FastDecides(document)) << document;
    }
}

// The fast engine replays the events of elements that repeat an earlier one's markup (see
// FastReader::Replay): every way such an element can differ from the recorded one, or fail while it
// is replayed, must give what expat gives.
TEST(XmlEngines, RepeatedElementsGiveExpatsEvents) {
    auto repeat = [](int count, auto element) {
        std::string document = "<root>\n";
        for (int index = 0; index < count; ++index) {
            document += element(index);
        }
        return document + "</root>";
    };
    const std::string documents[] = {
        // Values and texts of every length, white space as text, an empty element, both quotes.
        repeat(30,
               [](int i) {
                   return "  <pt lat=\"" + std::to_string(i * 37) + "\" lon='" +
                          std::string(static_cast<std::size_t>(i % 3), '9') + "'>\n    <ele>" + std::to_string(i) +
                          "</ele><e/><t>a b\tc</t>\n  </pt>\n";
               }),
        // Mixed content: the text after the last child.
        repeat(10, [](int i) { return "<m>x" + std::to_string(i) + "<b>in</b>tail" + std::to_string(i) + "</m>"; }),
        // Holes that need processing or are not allowed, and markup that changes, in later repeats.
        repeat(24,
               [](int i) {
                   static const char* const kValues[] = {"1",       "2&amp;3", "4\r\n5", "\xc3\xa9", "6]7", "8<",
                                                         "9&#x41;", "]]>",     "x\x01",  "tab\t",    "",    "end"};
                   const std::string value = kValues[i % 12];
                   return "<pt v=\"" + std::string(i % 5 == 0 ? "a&lt;b" : "ok") + "\"><x>" + value + "</x></pt>";
               }),
        // CR LF line ends (a hole may start with one), and every other place a CR can be.
        repeat(30,
               [](int i) {
                   static const char* const kBreaks[] = {"\r\n  ", "\r\n",  "\n  ",  "",       "\r\n\r\n",
                                                         "\r",     "\r\nx", "x\r\n", "\r\n\r", " \r\n"};
                   const std::string line = kBreaks[i % 10];
                   return "<pt>" + line + "<x>" + (i % 4 == 0 ? line : "1") + "</x>" + line + "</pt>\r\n";
               }),
        repeat(12, [](int i) { return i == 7 ? "<pt><x>1</x></pt >" : "<pt><x>1</x></pt>"; }),
        repeat(12, [](int i) { return i == 7 ? "<pt><x>1</y></pt>" : "<pt><x>1</x></pt>"; }),
        repeat(12, [](int i) { return i == 7 ? "<pt><x>1</x><!--c--></pt>" : "<pt><x>1</x></pt>"; }),
        repeat(12, [](int i) { return i == 7 ? "<pt a='1' a='1'/>" : "<pt a='1' b='1'/>"; }),
        repeat(12, [](int i) { return i == 7 ? "<pt><x>1</x>" : "<pt><x>1</x></pt>"; }),  // unclosed
        repeat(12, [](int) { return "<pt><x>1</x></pt>"; }) + "junk",
        // A document that ends inside a repeat.
        repeat(5, [](int) { return "<pt><x>1</x></pt>"; }) + "<pt><x>1",
    };
    for (const std::string& document : documents) {
        Recorder recorder;
        ParseWith(document, recorder);
    }
    // Refused by the handler, by the text limit or by the depth limit while a repeat is replayed.
    {
        Recorder recorder;
        recorder.fail_at_start = 40;
        const std::string document = repeat(20, [](int) { return "<pt><x>1</x><y/></pt>"; });
        ASSERT_TRUE(ParseWith(document, recorder));
        EXPECT_TRUE(FastDecides(document));
    }
    {
        Recorder recorder;
        const std::string document = repeat(
            5, [](int i) { return "<pt><x>" + std::string(i == 3 ? xml::kMaxTextBytes + 1 : 4, 'z') + "</x></pt>"; });
        const auto error = ParseWith(document, recorder);
        ASSERT_TRUE(error);
        EXPECT_THAT(error->reason, HasSubstr("element text longer than"));
        EXPECT_EQ(error->context, "root/pt[4]/x");
    }
    {
        Limits limits;
        limits.max_xml_depth = 3;
        std::string document = "<r>";
        for (int i = 0; i < 5; ++i) {
            document += "<a><b></b></a>";
        }
        document += "<s><a><b></b></a></s></r>";  // the same shape one level deeper is too deep
        Recorder recorder;
        const auto error = ParseWith(document, recorder, limits);
        ASSERT_TRUE(error);
        EXPECT_EQ(error->reason, "elements nested deeper than 3 levels");
        EXPECT_EQ(error->context, "r/s/a/b");
    }
}

/// Takes repeated <pt> elements whole: keeps the shape it was offered and the holes of each one.
class Planner final : public xml::Handler {
public:
    bool StartElement(xml::Reader& /*reader*/, std::string_view name, const xml::Attributes& /*attributes*/) override {
        events.push_back("+" + std::string(name));
        return true;
    }
    void EndElement(xml::Reader& /*reader*/, std::string_view text) override {
        events.push_back("-" + std::string(text));
    }
    int CompileShape(const xml::Shape& shape) override {
        std::string description;
        for (std::size_t event_idx = 0; event_idx < shape.event_count; ++event_idx) {
            const xml::ShapeEvent& event = shape.events[event_idx];
            switch (event.kind) {
                case xml::ShapeEvent::Kind::kStart:
                    description += "<" + std::string(event.local_name);
                    for (std::uint32_t attribute_idx = 0; attribute_idx < event.attribute_count; ++attribute_idx) {
                        const xml::ShapeAttribute& attribute = shape.attributes[event.first_attribute + attribute_idx];
                        description += " " + std::string(attribute.local_name) + "=#" + std::to_string(attribute.hole);
                    }
                    description += ">";
                    break;
                case xml::ShapeEvent::Kind::kText:
                    description += "#" + std::to_string(event.hole);
                    break;
                case xml::ShapeEvent::Kind::kEnd:
                    description += "</>";
                    break;
            }
        }
        shapes.push_back(description);
        if (shape.events[0].local_name != "pt") {
            return -1;
        }
        holes = shape.hole_count;
        return 7;
    }
    bool RunShape(int plan, const std::string_view* values) override {
        EXPECT_EQ(plan, 7);
        std::string run;
        for (std::size_t hole = 0; hole < holes; ++hole) {
            run += "[" + std::string(values[hole]) + "]";
        }
        if (run.find("no") != std::string::npos) {
            return false;  // the events after all
        }
        runs.push_back(run);
        return true;
    }

    std::vector<std::string> events;
    std::vector<std::string> shapes;
    std::vector<std::string> runs;
    std::size_t holes = 0;
};

TEST(XmlEngines, HandlerPlansTakeRepeatedElementsWhole) {
    // Enough repeats first for the engine to settle on <pt> as the shape (the root, recorded
    // first, is too long to keep).
    std::string document = "<r>\n";
    for (int warm_up = 0; warm_up < 12; ++warm_up) {
        document += "<pt a='0' p:b=\"w\">\n <v>0</v><w/></pt>\n";
    }
    document +=
        "<pt a='2' p:b=\"y\">\n <v>20</v><w/></pt>\n<pt a='3' p:b=\"no\">\n <v>30</v><w/></pt>\n"
        "<pt a='4' p:b=\"z\">\n <v></v><w/></pt>\n</r>";
    Planner planner;
    const xml::Outcome outcome = xml::Parse(xml::Engine::kFast, document, Limits{}, planner);
    ASSERT_FALSE(outcome.needs_expat);
    ASSERT_FALSE(outcome.error) << outcome.error->Describe();
    EXPECT_THAT(planner.shapes, ::testing::Contains("<pt a=#0 b=#1>#2<v>#3</><w></></>"));
    // When the engine settles on the shape is its own heuristic (it needs "enough" repeats): at least
    // one warm-up run, then exactly the runs of the last three points.
    ASSERT_GE(planner.runs.size(), 3u);
    for (std::size_t run_idx = 0; run_idx + 2 < planner.runs.size(); ++run_idx) {
        EXPECT_EQ(planner.runs[run_idx], "[0][w][\n ][0]");
    }
    EXPECT_EQ(planner.runs[planner.runs.size() - 2], "[2][y][\n ][20]");
    EXPECT_EQ(planner.runs.back(), "[4][z][\n ][]");  // an empty text is an empty hole
    // The plan declined the "no" one: its events were reported, in place.
    ASSERT_GE(planner.events.size(), 7u);  // guards the slice below, which checks the events exactly
    EXPECT_THAT(std::vector<std::string>(planner.events.end() - 7, planner.events.end()),
                ElementsAre("+pt", "+v", "-30", "+w", "-", "-", "-\n"));
}

TEST(Xml, CountOccurrences) {
    EXPECT_EQ(xml::CountOccurrences("<trkpt/><trkpt><trkpt", "<trkpt"), 3u);
    EXPECT_EQ(xml::CountOccurrences("", "<trkpt"), 0u);
    EXPECT_EQ(xml::CountOccurrences("aaaa", "aa"), 2u);
    // Long enough for the sixteen-at-a-time path, matches straddling its blocks, overlapping
    // candidates and needles longer than a block: always what a plain left-to-right scan counts.
    auto naive = [](std::string_view haystack, std::string_view needle) {
        std::size_t count = 0;
        for (std::size_t at = 0; at + needle.size() <= haystack.size();) {
            if (haystack.substr(at, needle.size()) == needle) {
                ++count;
                at += needle.size();
            } else {
                ++at;
            }
        }
        return count;
    };
    std::uint32_t state = 12345;
    for (int round = 0; round < 300; ++round) {
        std::string haystack;
        const std::size_t size = static_cast<std::size_t>(round) * 3;
        for (std::size_t char_idx = 0; char_idx < size; ++char_idx) {
            state = state * 1103515245u + 12345u;
            haystack += "<tk a"[(state >> 16) % 5];
        }
        for (const std::string_view needle :
             {"<trkpt", "<t", "aa", "<", "<tk<t", "<Trackpoint", "a<tk a<tk a<tk a<tk"}) {
            EXPECT_EQ(xml::CountOccurrences(haystack, needle), naive(haystack, needle)) << haystack << " / " << needle;
        }
    }
    EXPECT_EQ(xml::CountOccurrences(std::string(100, 'a'), "aa"), 50u);
    EXPECT_EQ(xml::CountOccurrences(std::string(101, 'a'), "aaa"), 33u);
}

TEST(TextValues, ParseNumber) {
    EXPECT_EQ(text::ParseNumber(" 12.5\n"), 12.5);
    EXPECT_EQ(text::ParseNumber("+3"), 3.0);
    EXPECT_EQ(text::ParseNumber("-0.25e2"), -25.0);
    EXPECT_EQ(text::ParseNumber(".5"), 0.5);
    EXPECT_FALSE(text::ParseNumber(""));
    EXPECT_FALSE(text::ParseNumber("12,5"));
    EXPECT_FALSE(text::ParseNumber("1 2"));
    EXPECT_FALSE(text::ParseNumber("+-1"));
    EXPECT_FALSE(text::ParseNumber("0x10"));
    EXPECT_FALSE(text::ParseNumber("abc"));
}

// ParseNumber's fast path must give exactly what from_chars gives (the same double, bit for bit).
TEST(TextValues, ParseNumberFastPathEqualsFromChars) {
    std::uint64_t state = 0x9E3779B97F4A7C15ull;  // a fixed xorshift seed: reproducible
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (int sample = 0; sample < 200'000; ++sample) {
        std::string text;
        if (next() % 4 == 0) {
            text += '-';
        }
        const int integer_digits = 1 + static_cast<int>(next() % 12);
        for (int digit = 0; digit < integer_digits; ++digit) {
            text += static_cast<char>('0' + next() % 10);
        }
        const int decimals = static_cast<int>(next() % 12);
        if (decimals > 0) {
            text += '.';
            for (int digit = 0; digit < decimals; ++digit) {
                text += static_cast<char>('0' + next() % 10);
            }
        }
        double expected = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
        ASSERT_EQ(ec, std::errc()) << text;
        const std::optional<double> parsed = text::ParseNumber(text);
        ASSERT_TRUE(parsed) << text;
        ASSERT_EQ(std::bit_cast<std::uint64_t>(*parsed), std::bit_cast<std::uint64_t>(expected)) << text;
    }
    // Shapes the fast path leaves to from_chars, and 20+ digit mantissas.
    for (const char* text : {"40.18894976936280727386474609375", "12345678901234567890123", "5.", "1e5", "-0.0",
                             "0.000000000000000000000001", "9007199254740993", "0000000000000000000001.5"}) {
        double expected = 0;
        std::from_chars(text, text + std::strlen(text), expected);
        const std::optional<double> parsed = text::ParseNumber(text);
        ASSERT_TRUE(parsed) << text;
        EXPECT_EQ(std::bit_cast<std::uint64_t>(*parsed), std::bit_cast<std::uint64_t>(expected)) << text;
    }
}

// ParseFixedE7 must give exactly DegreesToE7 of the double path for every text it accepts, and
// accept what devices write.
TEST(TextValues, ParseFixedE7EqualsTheDoublePath) {
    std::uint64_t state = 0x2545F4914F6CDD1Dull;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    std::size_t accepted = 0;
    for (int sample = 0; sample < 300'000; ++sample) {
        std::string text;
        const std::uint64_t shape = next();
        if (shape % 3 == 0) {
            text += '-';
        }
        const int integer_digits = static_cast<int>(next() % 5);  // 0..4
        for (int digit = 0; digit < integer_digits; ++digit) {
            text += static_cast<char>('0' + next() % 10);
        }
        if (shape % 7 != 0) {
            text += '.';
            const int decimals = static_cast<int>(next() % 10);  // 0..9
            for (int digit = 0; digit < decimals; ++digit) {
                text += static_cast<char>('0' + next() % 10);
            }
        }
        if (shape % 61 == 0 && !text.empty()) {
            text[next() % text.size()] = "x +e/:\xb0"[next() % 7];
        }
        std::int32_t e7 = 0;
        const bool fixed = text::ParseFixedE7(text, e7);
        const std::optional<double> parsed = text::ParseNumber(text);
        if (!fixed) {
            continue;
        }
        ++accepted;
        ASSERT_TRUE(parsed) << text;
        ASSERT_LE(std::fabs(*parsed), 180.0) << text;
        ASSERT_EQ(e7, DegreesToE7(*parsed)) << text;
    }
    // The generator is deterministic: exactly this many of its texts are fixed-point numbers, so a
    // change that starts refusing some (or accepting others) shows here.
    EXPECT_EQ(accepted, 95'598u);
    for (const char* text :
         {"46.0000100", "-179.9999999", "180", "0", "-0", "-0.0000000", "7.5", "012.25", "1.2345678"}) {
        std::int32_t e7 = 0;
        ASSERT_TRUE(text::ParseFixedE7(text, e7)) << text;
        EXPECT_EQ(e7, DegreesToE7(*text::ParseNumber(text))) << text;
    }
    for (const char* text : {"", "-", ".5", "5.", "+5", " 5", "5 ", "1e1", "180.0000001", "1234", "1.23456789", "200",
                             "0x1", "4\xb0.5", "46.000010x", "46.0000-00"}) {
        std::int32_t e7 = 0;
        EXPECT_FALSE(text::ParseFixedE7(text, e7)) << text;
    }
}

TEST(TextValues, DaysFromCivilOutsideTheTimeTRange) {
    EXPECT_EQ(text::DaysFromCivil(1970, 1, 1), 0);
    EXPECT_EQ(text::DaysFromCivil(2000, 3, 1), 11017);
    EXPECT_EQ(text::DaysFromCivil(1969, 12, 31), -1);
    EXPECT_EQ(text::DaysFromCivil(1234, 12, 12), -268'473);
    EXPECT_EQ(text::DaysFromCivil(4096, 12, 12), 776'852);
    EXPECT_EQ(text::DaysFromCivil(2038, 1, 19), 24'855);
}

TEST(TextValues, ParseTime) {
    EXPECT_EQ(text::ParseTimeMs("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(text::ParseTimeMs("2024-05-01T07:30:00Z"), 1'714'548'600'000);
    EXPECT_EQ(text::ParseTimeMs("2024-05-01T09:30:00.250+02:00"), 1'714'548'600'250);
    EXPECT_EQ(text::ParseTimeMs("2024-05-01T02:30:00-0500"), 1'714'548'600'000);
    EXPECT_EQ(text::ParseTimeMs("2021-01-07T21:51:59.179+01:15"), 1'610'051'819'179);
    EXPECT_EQ(text::ParseTimeMs("2013-01-01T12:00:04"), 1'357'041'604'000);  // no offset: UTC
    EXPECT_EQ(text::ParseTimeMs("2011-07-02t17:47:25.2z"), 1'309'628'845'200);
    EXPECT_EQ(text::ParseTimeMs("2011-07-02 17:47:25.2Z"), 1'309'628'845'200);
    EXPECT_EQ(text::ParseTimeMs("1901-12-13T20:45:52.2073437Z"), -2'147'483'647'793);
    EXPECT_EQ(text::ParseTimeMs("1234-12-12T08:00:00.123Z"), -23'196'038'399'877);
    EXPECT_EQ(text::ParseTimeMs("4096-12-12T08:00:00.410Z"), 67'120'041'600'410);
    EXPECT_EQ(text::ParseTimeMs("2016-12-31T23:59:60Z"), 1'483'228'800'000);       // leap second
    EXPECT_EQ(text::ParseTimeMs("2020-02-29T00:00:00.9996Z"), 1'582'934'401'000);  // rounds up
    EXPECT_EQ(text::ParseTimeMs(" 2020-02-29T00:00:00Z "), 1'582'934'400'000);
    for (const char* bad : {"", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01",
                            "2024-05-01T24:00:00Z", "2024-05-01T07:60:00Z", "2024-05-01T07:30Z",
                            "2024-05-01T07:30:00.Z", "2024-05-01T07:30:00+25:00", "2024-05-01T07:30:00Zjunk",
                            "24-05-01T07:30:00Z", "2024/05/01T07:30:00Z", "yesterday", "1714548600"}) {
        EXPECT_FALSE(text::ParseTimeMs(bad)) << bad;
    }
    // The 19-byte head is checked a word at a time: every digit position refuses every non-digit
    // (the bytes just outside '0'..'9' and high-bit bytes included), every separator any other byte.
    const std::string good = "2024-05-01T07:30:00Z";
    for (std::size_t at = 0; at < 19; ++at) {
        for (const char other : {'/', ':', '0', '9', 'T', ' ', '-', '\x80', '\xb0', '\xff', '\0'}) {
            std::string text = good;
            if (text[at] == other) {
                continue;
            }
            text[at] = other;
            const bool digit_position = at != 4 && at != 7 && at != 10 && at != 13 && at != 16;
            const bool digit = other >= '0' && other <= '9';
            const bool separator_ok = at == 10 && (other == 'T' || other == ' ');
            if ((digit_position && digit) || separator_ok) {
                continue;  // may well be another valid time
            }
            EXPECT_FALSE(text::ParseTimeMs(text)) << at << ": " << text;
        }
    }
}

TEST(TextValues, SportFromLabel) {
    EXPECT_EQ(text::SportFromLabel("running"), Sport::kRun);
    EXPECT_EQ(text::SportFromLabel("Running"), Sport::kRun);
    EXPECT_EQ(text::SportFromLabel("Trail Running"), Sport::kTrailRun);
    EXPECT_EQ(text::SportFromLabel("road_biking"), Sport::kRide);
    EXPECT_EQ(text::SportFromLabel("Biking"), Sport::kRide);
    EXPECT_EQ(text::SportFromLabel("cycling"), Sport::kRide);
    EXPECT_EQ(text::SportFromLabel("mountain-biking"), Sport::kMountainBike);
    EXPECT_EQ(text::SportFromLabel("open_water_swimming"), Sport::kSwim);
    EXPECT_EQ(text::SportFromLabel("Other"), Sport::kOther);
    EXPECT_EQ(text::SportFromLabel("9"), Sport::kRun);
    EXPECT_EQ(text::SportFromLabel("1"), Sport::kRide);
    EXPECT_EQ(text::SportFromLabel("16"), Sport::kSwim);
    EXPECT_EQ(text::SportFromLabel("123"), Sport::kUnknown);
    EXPECT_EQ(text::SportFromLabel("t"), Sport::kUnknown);
    EXPECT_EQ(text::SportFromLabel("Geocache|Traditional"), Sport::kUnknown);
    EXPECT_EQ(text::SportFromLabel(std::string(100, 'a')), Sport::kUnknown);
    EXPECT_EQ(text::SportFromLabel(""), Sport::kUnknown);
}

TEST(Activity, SportNamesRoundTrip) {
    for (int value = 0; value <= static_cast<int>(Sport::kOther); ++value) {
        const auto sport = static_cast<Sport>(value);
        EXPECT_EQ(ParseSportName(SportName(sport)), sport) << SportName(sport);
    }
    EXPECT_STREQ(SportName(Sport::kTrailRun), "trail_run");
    EXPECT_FALSE(ParseSportName("Run"));
}

TEST(Activity, DescribeParseError) {
    ParseError error;
    error.reason = "bad";
    EXPECT_EQ(error.Describe(), "bad");
    error.byte_offset = 7;
    EXPECT_EQ(error.Describe(), "byte 7: bad");
    error.context = "gzip";
    EXPECT_EQ(error.Describe(), "byte 7 (gzip): bad");
    error.line = 12;
    error.column = 4;
    error.context = "gpx/trk/trkseg/trkpt";
    EXPECT_EQ(error.Describe(), "line 12, column 4 (gpx/trk/trkseg/trkpt): bad");
}

TEST(Activity, PlainParseErrorKeepsTheLineAndDropsTheRest) {
    ParseError error;
    error.reason = "file CRC mismatch: stored 0x1234, computed 0xabcd";
    error.byte_offset = 90;
    error.context = "file";
    EXPECT_EQ(error.Plain(),
              "We couldn't read this file: the file is damaged: its checksum (CRC) does not match its content");
    error.reason = "truncated file: the header announces 100 bytes of data, 40 are there";
    EXPECT_EQ(error.Plain(), "We couldn't read this file: the file ends too early (it may have been cut off)");
    error.reason = "empty file: not a FIT file";
    EXPECT_EQ(error.Plain(), "This file is empty");
    error.reason = "something no rule words";
    error.line = 7;
    error.column = 3;
    EXPECT_EQ(error.Plain(), "We couldn't read this file: line 7, something no rule words");
}

}  // namespace
}  // namespace strava1::formats
