/*
 * tpch_dists.c - the TPC-H value lists with their weights (see
 * tpch_dists.h).  The words, lists and weights are those of the TPC-H
 * specification (clauses 4.2.2.13 and 4.2.3) and of the dists.dss file
 * distributed with dbgen, transcribed in their order.
 */
#include "tpch/tpch_dists.h"

#include <pthread.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define DIST(name, arr) {name, (int32_t)(sizeof arr / sizeof arr[0]), arr, NULL, NULL, 0, NULL}

/* ---- Text grammar (clause 4.2.2.10) ----------------------------------------
 * Sentence productions: N noun phrase, V verb phrase, P prepositional
 * phrase, T terminator. */
static const TpchDistValue grammar[] = {
    {"N V T", 3}, {"N V P T", 3}, {"N V N T", 3}, {"N P V N T", 1}, {"N P V P T", 1},
};
/* Noun phrases: N noun, J adjective, D adverb, A article; "," joins. */
static const TpchDistValue np[] = {
    {"N", 10}, {"J N", 20}, {"J, J N", 10}, {"D J N", 50},
};
/* Verb phrases: V verb, X auxiliary, D adverb. */
static const TpchDistValue vp[] = {
    {"V", 30}, {"X V", 1}, {"V D", 40}, {"X V D", 1},
};

static const TpchDistValue nouns[] = {
    {"packages", 40}, {"requests", 40}, {"accounts", 40}, {"deposits", 40}, {"foxes", 20},
    {"ideas", 20}, {"theodolites", 20}, {"pinto beans", 20}, {"instructions", 20},
    {"dependencies", 10}, {"excuses", 10}, {"platelets", 10}, {"asymptotes", 10},
    {"courts", 5}, {"dolphins", 5}, {"multipliers", 1}, {"sauternes", 1}, {"warthogs", 1},
    {"frets", 1}, {"dinos", 1}, {"attainments", 1}, {"somas", 1}, {"Tiresias", 1},
    {"patterns", 1}, {"forges", 1}, {"braids", 1}, {"frays", 1}, {"warhorses", 1},
    {"dugouts", 1}, {"notornis", 1}, {"epitaphs", 1}, {"pearls", 1}, {"tithes", 1},
    {"waters", 1}, {"orbits", 1}, {"gifts", 1}, {"sheaves", 1}, {"depths", 1},
    {"sentiments", 1}, {"decoys", 1}, {"realms", 1}, {"pains", 1}, {"grouches", 1},
    {"escapades", 1}, {"hockey players", 1},
};

static const TpchDistValue verbs[] = {
    {"sleep", 20}, {"wake", 20}, {"are", 20}, {"cajole", 20}, {"haggle", 20}, {"nag", 10},
    {"use", 10}, {"boost", 10}, {"affix", 5}, {"detect", 5}, {"integrate", 5},
    {"maintain", 1}, {"nod", 1}, {"was", 1}, {"lose", 1}, {"sublate", 1}, {"solve", 1},
    {"thrash", 1}, {"promise", 1}, {"engage", 1}, {"hinder", 1}, {"print", 1}, {"x-ray", 1},
    {"breach", 1}, {"eat", 1}, {"grow", 1}, {"impress", 1}, {"mold", 1}, {"poach", 1},
    {"serve", 1}, {"run", 1}, {"dazzle", 1}, {"snooze", 1}, {"doze", 1}, {"unwind", 1},
    {"kindle", 1}, {"play", 1}, {"hang", 1}, {"believe", 1}, {"doubt", 1},
};

static const TpchDistValue adverbs[] = {
    {"sometimes", 1}, {"always", 1}, {"never", 1}, {"furiously", 50}, {"slyly", 50},
    {"carefully", 50}, {"blithely", 40}, {"quickly", 30}, {"fluffily", 20}, {"slowly", 1},
    {"quietly", 1}, {"ruthlessly", 1}, {"thinly", 1}, {"closely", 1}, {"doggedly", 1},
    {"daringly", 1}, {"bravely", 1}, {"stealthily", 1}, {"permanently", 1},
    {"enticingly", 1}, {"idly", 1}, {"busily", 1}, {"regularly", 1}, {"finally", 1},
    {"ironically", 1}, {"evenly", 1}, {"boldly", 1}, {"silently", 1},
};

static const TpchDistValue articles[] = {
    {"the", 50}, {"a", 20}, {"an", 5},
};

static const TpchDistValue prepositions[] = {
    {"about", 50}, {"above", 50}, {"according to", 50}, {"across", 50}, {"after", 50},
    {"against", 40}, {"along", 40}, {"alongside of", 30}, {"among", 30}, {"around", 20},
    {"at", 10}, {"atop", 1}, {"before", 1}, {"behind", 1}, {"beneath", 1}, {"beside", 1},
    {"besides", 1}, {"between", 1}, {"beyond", 1}, {"by", 1}, {"despite", 1}, {"during", 1},
    {"except", 1}, {"for", 1}, {"from", 1}, {"in place of", 1}, {"inside", 1},
    {"instead of", 1}, {"into", 1}, {"near", 1}, {"of", 1}, {"on", 1}, {"outside", 1},
    {"over", 1}, {"past", 1}, {"since", 1}, {"through", 1}, {"throughout", 1}, {"to", 1},
    {"toward", 1}, {"under", 1}, {"until", 1}, {"up", 1}, {"upon", 1}, {"whithout", 1},
    {"with", 1}, {"within", 1},
};

static const TpchDistValue auxiliaries[] = {
    {"do", 1}, {"may", 1}, {"might", 1}, {"shall", 1}, {"will", 1}, {"would", 1}, {"can", 1},
    {"could", 1}, {"should", 1}, {"ought to", 1}, {"must", 1}, {"will have to", 1},
    {"shall have to", 1}, {"could have to", 1}, {"should have to", 1}, {"must have to", 1},
    {"need to", 1}, {"try to", 1},
};

static const TpchDistValue terminators[] = {
    {".", 50}, {";", 1}, {":", 1}, {"?", 1}, {"!", 1}, {"--", 1},
};

static const TpchDistValue adjectives[] = {
    {"special", 20}, {"pending", 20}, {"unusual", 20}, {"express", 20}, {"furious", 1},
    {"sly", 1}, {"careful", 1}, {"blithe", 1}, {"quick", 1}, {"fluffy", 1}, {"slow", 1},
    {"quiet", 1}, {"ruthless", 1}, {"thin", 1}, {"close", 1}, {"dogged", 1}, {"daring", 1},
    {"brave", 1}, {"stealthy", 1}, {"permanent", 1}, {"enticing", 1}, {"idle", 1},
    {"busy", 1}, {"regular", 50}, {"final", 40}, {"ironic", 40}, {"even", 30}, {"bold", 20},
    {"silent", 10},
};

/* ---- Column value lists (clause 4.2.2.13, 4.2.3) ---------------------------- */

/* P_NAME: five distinct words of these 92. */
static const TpchDistValue colors[] = {
    {"almond", 1}, {"antique", 1}, {"aquamarine", 1}, {"azure", 1}, {"beige", 1},
    {"bisque", 1}, {"black", 1}, {"blanched", 1}, {"blue", 1}, {"blush", 1}, {"brown", 1},
    {"burlywood", 1}, {"burnished", 1}, {"chartreuse", 1}, {"chiffon", 1}, {"chocolate", 1},
    {"coral", 1}, {"cornflower", 1}, {"cornsilk", 1}, {"cream", 1}, {"cyan", 1}, {"dark", 1},
    {"deep", 1}, {"dim", 1}, {"dodger", 1}, {"drab", 1}, {"firebrick", 1}, {"floral", 1},
    {"forest", 1}, {"frosted", 1}, {"gainsboro", 1}, {"ghost", 1}, {"goldenrod", 1},
    {"green", 1}, {"grey", 1}, {"honeydew", 1}, {"hot", 1}, {"indian", 1}, {"ivory", 1},
    {"khaki", 1}, {"lace", 1}, {"lavender", 1}, {"lawn", 1}, {"lemon", 1}, {"light", 1},
    {"lime", 1}, {"linen", 1}, {"magenta", 1}, {"maroon", 1}, {"medium", 1}, {"metallic", 1},
    {"midnight", 1}, {"mint", 1}, {"misty", 1}, {"moccasin", 1}, {"navajo", 1}, {"navy", 1},
    {"olive", 1}, {"orange", 1}, {"orchid", 1}, {"pale", 1}, {"papaya", 1}, {"peach", 1},
    {"peru", 1}, {"pink", 1}, {"plum", 1}, {"powder", 1}, {"puff", 1}, {"purple", 1},
    {"red", 1}, {"rose", 1}, {"rosy", 1}, {"royal", 1}, {"saddle", 1}, {"salmon", 1},
    {"sandy", 1}, {"seashell", 1}, {"sienna", 1}, {"sky", 1}, {"slate", 1}, {"smoke", 1},
    {"snow", 1}, {"spring", 1}, {"steel", 1}, {"tan", 1}, {"thistle", 1}, {"tomato", 1},
    {"turquoise", 1}, {"violet", 1}, {"wheat", 1}, {"white", 1}, {"yellow", 1},
};

/* P_TYPE: syllable 1 x syllable 2 x syllable 3, 150 combinations. */
#define TYPES3(a, b) \
    {a " " b " TIN", 1}, {a " " b " NICKEL", 1}, {a " " b " BRASS", 1}, {a " " b " STEEL", 1}, \
    {a " " b " COPPER", 1}
#define TYPES2(a) \
    TYPES3(a, "ANODIZED"), TYPES3(a, "BURNISHED"), TYPES3(a, "PLATED"), TYPES3(a, "POLISHED"), \
    TYPES3(a, "BRUSHED")
static const TpchDistValue p_types[] = {
    TYPES2("STANDARD"), TYPES2("SMALL"), TYPES2("MEDIUM"),
    TYPES2("LARGE"),    TYPES2("ECONOMY"), TYPES2("PROMO"),
};

/* P_CONTAINER: syllable 1 x syllable 2, 40 combinations. */
#define CNTR(a) \
    {a " CASE", 1}, {a " BOX", 1}, {a " BAG", 1}, {a " JAR", 1}, {a " PACK", 1}, {a " PKG", 1}, \
    {a " CAN", 1}, {a " DRUM", 1}
static const TpchDistValue p_containers[] = {
    CNTR("SM"), CNTR("LG"), CNTR("MED"), CNTR("JUMBO"), CNTR("WRAP"),
};

static const TpchDistValue segments[] = {
    {"AUTOMOBILE", 1}, {"BUILDING", 1}, {"FURNITURE", 1}, {"HOUSEHOLD", 1}, {"MACHINERY", 1},
};

static const TpchDistValue priorities[] = {
    {"1-URGENT", 1}, {"2-HIGH", 1}, {"3-MEDIUM", 1}, {"4-NOT SPECIFIED", 1}, {"5-LOW", 1},
};

static const TpchDistValue ship_modes[] = {
    {"REG AIR", 1}, {"AIR", 1}, {"RAIL", 1}, {"TRUCK", 1}, {"MAIL", 1}, {"FOB", 1}, {"SHIP", 1},
};

static const TpchDistValue ship_instruct[] = {
    {"DELIVER IN PERSON", 1}, {"COLLECT COD", 1}, {"TAKE BACK RETURN", 1}, {"NONE", 1},
};

static const TpchDistValue return_flags[] = {
    {"R", 1}, {"A", 1},
};

/* N_NAME in key order; the running sum of the weights is N_REGIONKEY. */
static const TpchDistValue nations[] = {
    {"ALGERIA", 0}, {"ARGENTINA", 1}, {"BRAZIL", 0}, {"CANADA", 0}, {"EGYPT", 3},
    {"ETHIOPIA", -4}, {"FRANCE", 3}, {"GERMANY", 0}, {"INDIA", -1}, {"INDONESIA", 0},
    {"IRAN", 2}, {"IRAQ", 0}, {"JAPAN", -2}, {"JORDAN", 2}, {"KENYA", -4}, {"MOROCCO", 0},
    {"MOZAMBIQUE", 0}, {"PERU", 1}, {"CHINA", 1}, {"ROMANIA", 1}, {"SAUDI ARABIA", 1},
    {"VIETNAM", -2}, {"RUSSIA", 1}, {"UNITED KINGDOM", 0}, {"UNITED STATES", -2},
};

static const TpchDistValue regions[] = {
    {"AFRICA", 1}, {"AMERICA", 1}, {"ASIA", 1}, {"EUROPE", 1}, {"MIDDLE EAST", 1},
};

static TpchDist dists[TPCH_D_COUNT] = {
    [TPCH_D_GRAMMAR] = DIST("grammar", grammar),
    [TPCH_D_NP] = DIST("np", np),
    [TPCH_D_VP] = DIST("vp", vp),
    [TPCH_D_NOUNS] = DIST("nouns", nouns),
    [TPCH_D_VERBS] = DIST("verbs", verbs),
    [TPCH_D_ADJECTIVES] = DIST("adjectives", adjectives),
    [TPCH_D_ADVERBS] = DIST("adverbs", adverbs),
    [TPCH_D_ARTICLES] = DIST("articles", articles),
    [TPCH_D_PREPOSITIONS] = DIST("prepositions", prepositions),
    [TPCH_D_AUXILIARIES] = DIST("auxillaries", auxiliaries),
    [TPCH_D_TERMINATORS] = DIST("terminators", terminators),
    [TPCH_D_COLORS] = DIST("colors", colors),
    [TPCH_D_P_TYPES] = DIST("p_types", p_types),
    [TPCH_D_P_CONTAINERS] = DIST("p_cntr", p_containers),
    [TPCH_D_SEGMENTS] = DIST("msegmnt", segments),
    [TPCH_D_PRIORITIES] = DIST("o_oprio", priorities),
    [TPCH_D_SHIP_MODES] = DIST("smode", ship_modes),
    [TPCH_D_SHIP_INSTRUCT] = DIST("instruct", ship_instruct),
    [TPCH_D_RETURN_FLAGS] = DIST("rflag", return_flags),
    [TPCH_D_NATIONS] = DIST("nations", nations),
    [TPCH_D_REGIONS] = DIST("regions", regions),
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int init_done; /* guarded by init_lock */

/* Builds lengths and the draw -> index array of one distribution.  Lists
 * with non-positive weights (nations) get lengths only: nothing picks
 * from them. */
static int build(TpchDist *d)
{
    d->len = tarn_malloc((size_t)d->n);
    d->pad = tarn_calloc((size_t)d->n, TPCH_DIST_PAD);
    if (!d->len || !d->pad) {
        tarn_free(d->len);
        tarn_free(d->pad);
        d->len = NULL;
        d->pad = NULL;
        return TARN_ERR_NOMEM;
    }
    int32_t total = 0;
    bool pickable = true;
    for (int32_t i = 0; i < d->n; i++) {
        size_t n = strlen(d->values[i].text);
        if (n >= TPCH_DIST_PAD)
            return TARN_ERR_INTERNAL; /* the lists above are known: cannot happen */
        d->len[i] = (uint8_t)n;
        memcpy(d->pad + (size_t)i * TPCH_DIST_PAD, d->values[i].text, n);
        if (d->values[i].weight <= 0)
            pickable = false;
        total += d->values[i].weight;
    }
    if (!pickable)
        return 0;
    d->pick = tarn_malloc(sizeof(uint16_t) * (size_t)total);
    if (!d->pick) {
        tarn_free(d->len); /* so that a later init retries this list */
        tarn_free(d->pad);
        d->len = NULL;
        d->pad = NULL;
        return TARN_ERR_NOMEM;
    }
    int32_t k = 0;
    for (int32_t i = 0; i < d->n; i++)
        for (int32_t w = 0; w < d->values[i].weight; w++)
            d->pick[k++] = (uint16_t)i;
    d->total = total;
    return 0;
}

int tpch_dists_init(void)
{
    pthread_mutex_lock(&init_lock);
    int rc = 0;
    if (!init_done) {
        for (int i = 0; i < TPCH_D_COUNT && rc == 0; i++)
            if (!dists[i].len)
                rc = build(&dists[i]);
        if (rc == 0)
            init_done = 1;
    }
    pthread_mutex_unlock(&init_lock);
    return rc;
}

const TpchDist *tpch_dist(TpchDistId id)
{
    return &dists[id];
}
