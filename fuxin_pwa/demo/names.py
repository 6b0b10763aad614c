"""Names for the demo subdistrict: places, people, roads. Invented, but of the kind found in
Fushan District, Yantai (the surnames lean to the Jiaodong ones: 于, 曲, 姜, 鞠, 隋, 栾…)."""

SUBDISTRICT = "福新街道"
COMMUNITIES = ["万科社区", "盐场社区", "永鑫社区"]
VILLAGES = ["西留公村", "东留公村", "冶头村", "南台村", "后夼村",
            "上夼村", "崔家疃村", "河滨村", "兴福村", "宫家庄村"]
# Estates hang under a community's grids: (community, grid number, estate).
ESTATES = [
    ("万科社区", 1, "万科假日风景小区"),
    ("万科社区", 2, "万科城"),
    ("盐场社区", 1, "富豪西苑"),
    ("盐场社区", 2, "盐场新居"),
    ("永鑫社区", 1, "永鑫花园"),
    ("永鑫社区", 3, "鑫海家园"),
]
ROADS = ["福新路", "永达街", "盐场路", "河滨路", "福海路", "汇福街", "鑫海路", "富华路"]
VILLAGE_STREETS = ["东街", "西街", "南街", "北街", "中街", "前街", "后街"]

# Villages with land awaiting expropriation (征迁地块), guarded day and night.
EXPROPRIATION_VILLAGES = ["冶头村", "南台村"]
# Where the young cadres stood on the rainstorm night: (junction, place it belongs to).
FLOOD_POSTS = [
    ("福新路与永达街路口", "万科社区"),
    ("盐场路低洼路段", "盐场社区"),
    ("河滨路下穿通道", "河滨村"),
    ("福海路与汇福街路口", "永鑫社区"),
    ("鑫海路涵洞", "永鑫社区"),
    ("富华路与河滨路路口", "西留公村"),
]

# Surnames repeated by rough frequency.
SURNAMES = ("王王王王李李李张张张刘刘刘于于于曲曲姜姜孙孙杨杨赵陈徐宋郭高周吕"
            "谢崔邹贾董田林迟栾衣鞠隋初宫慕郝牟丛柳刁矫")
MALE_GIVEN = "建国军强伟磊涛斌海波鹏峰刚明亮勇杰志文华东平鑫浩宇晨凯振忠德成永庆春胜"
FEMALE_GIVEN = "丽静敏燕艳娟霞红芳婷玲雪梅莉萍秀英兰慧琳晓欣颖佳悦桂凤玉淑"

PHONE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139",
                  "150", "151", "152", "155", "157", "158", "159",
                  "180", "182", "183", "185", "186", "187", "188", "189"]

HOUSEHOLD_NOTES = [None] * 12 + ["独居老人", "低保户", "残疾人家庭", "空巢老人",
                                 "退役军人家庭", "租户", "外出务工，老人留守"]
