"""What people wrote in the demo history, per task kind. {place}, {head} and {road} are
filled in by the loader."""

CHECKIN_NOTES = [None] * 6 + [
    "入村传达街道工作部署", "参加村两委例会", "与村书记对接本周重点工作", "走访困难群众",
    "检查防汛准备情况", "查看人居环境整治进度", "夜间入村，白天村民多外出务工",
    "陪同村干部入户核实情况", "到村党群服务中心坐班",
]

SUMMARIES = {
    "demolition_talk": [
        "约谈{head}户，就院内私搭彩钢棚宣讲违建整治政策",
        "与村干部一起约谈{head}，讲解一户一策整治方案，商定拆除时间",
        "再次上门约谈{head}户，听取顾虑，说明逾期不拆的后续程序",
        "约谈{place}沿街违建业主{head}，现场丈量并拍照留存",
    ],
    "resettlement_visit": [
        "回访安置户{head}，了解回迁房入住情况，记录水电问题",
        "上门为{head}户解答安置面积核算和过渡费发放问题",
        "回访{place}安置户，收集对物业服务的意见",
    ],
    "site_guard": [
        "{place}待征迁地块白班值守，巡查围挡，劝离无关人员",
        "{place}待征迁地块夜间值守，防止抢栽抢建",
        "{place}待征迁地块值守，配合测绘单位入场",
    ],
    "flood_duty": [
        "雨后巡查{place}低洼路段，清理雨水篦子",
        "检查{place}防汛物资储备，补充沙袋和雨衣",
        "{road}积水，现场值守并提醒车辆绕行",
    ],
    "resident_visit": [
        "入户走访{head}家，了解家庭近况和困难诉求",
        "走访独居老人{head}，查看用电用气安全",
        "走访{head}户，核实家庭人口信息",
        "在{place}入户走访，听取群众对环境整治的意见",
        "看望{head}，老人身体尚可，叮嘱按时服药",
    ],
    "volunteer_service": [
        "参与{place}环境整治志愿活动，清理卫生死角",
        "组织党员志愿者为{place}老人义务理发",
        "在{place}开展便民服务，帮助居民办理医保缴费",
        "参加{place}“邻里节”志愿服务",
    ],
    "briefing": [
        "向{place}村两委传达街道工委本周工作部署",
        "在{place}宣传防范电信诈骗知识，发放明白纸",
        "宣传城乡居民医保缴费政策，解答{head}等群众疑问",
        "讲解防汛避险常识和转移路线",
        "在{place}宣传燃气安全和冬季防火",
    ],
    "request_followup": [
        "跟进{head}反映的路灯不亮问题，已联系维修",
        "办理{head}户下水道堵塞诉求，协调疏通",
        "跟进{place}杂物堆放问题，已督促清理",
        "为{head}协调解决子女入学材料问题",
        "回访{head}，诉求已办结，群众满意",
    ],
}

OUTCOMES = [None] * 5 + ["已解决", "已登记，下周回访", "群众满意", "已上报街道协调",
                         "约定下次上门时间"]

# Summaries at the holdout household, visit by visit (more visits repeat the middle ones).
HOLDOUT_VISITS = [
    "上门了解{head}户基本情况，户主对安置补偿标准有异议",
    "解答安置补偿政策疑问，讲解评估程序",
    "户主仍坚持提高补偿标准，耐心做思想工作",
    "邀请已回迁邻居现身说法，介绍新房情况",
    "与户主子女电话沟通，争取家人支持",
    "协调社区帮助解决孙子转学顾虑",
    "陪同户主实地查看安置房源",
    "户主态度有所松动，提出过渡期住房需求",
    "就过渡期住房问题与街道征迁办对接",
    "再次上门解答政策，户主表示再考虑",
]

# The leaking roof at 富豪西苑8号楼, the ~10 trips from complaint to work starting.
LEAK_VISITS = [
    "接到{head}反映：顶楼屋面漏水，雨天卧室渗水严重",
    "现场查看漏水点，拍照留存，联系物业核实维修责任",
    "物业答复屋面已过保修期，需使用维修资金，向业主讲解程序",
    "联系社区法律顾问（律师）为业主解答维修责任问题",
    "逐户走访同单元邻居，说明共同维修方案",
    "召开楼道议事会，邻居同意按面积分摊维修费用",
    "协助办理维修资金申请材料",
    "联系施工队现场勘查，确定防水施工方案",
    "大雨后再次查看，渗水未扩大，告知开工时间",
    "防水工程顺利开工，{head}到盐场社区党群服务中心表示感谢",
]

STAIR_PAINTING = ("“志愿橘‘梯’升幸福感”红色步梯打造：联合党建联盟单位，与居民一起调颜料、"
                  "勾线条，绘制状元阶梯、艺术阶梯、童趣阶梯")
RAINSTORM = "防汛预备队第{group}组：{road}积水严重，协助临时封闭道路、搬运防汛物资，现场值守"
RAINSTORM_OUTCOME = "积水消退后解除封闭，凌晨撤岗"

# Household cases other than the two told in the report: kind → (task kind, titles, plan).
CASES = {
    "illegal_structure": ("demolition_talk", ["院内私建彩钢棚", "沿街违建门头", "楼顶加盖简易房"],
                          "一户一策：先约谈宣讲政策，再联合村委协商拆除时间，必要时协助清运"),
    "expropriation": ("site_guard", ["待征迁地块附属物清点", "征迁补偿协商"],
                      "核实附属物清单，分次约谈，配合征迁办推进签约"),
    "hardship": ("resident_visit", ["独居老人生活照料", "因病致困家庭帮扶", "残疾人家庭帮扶"],
                 "定期上门探访，协调医疗和救助政策，联系志愿者结对"),
    "dispute": ("request_followup", ["邻里漏水纠纷", "楼道停车纠纷", "宅基地边界纠纷"],
                "分别听取双方意见，组织调解，必要时请法律顾问参与"),
    "repair": ("request_followup", ["楼道照明损坏", "下水管道堵塞", "外墙渗水"],
               "登记诉求，联系物业或维修单位，完工后回访"),
}

# The rainstorm night as an incident on the dispatch board (its posts are names.FLOOD_POSTS).
RAINSTORM_INCIDENT = {
    "title": "暴雨防汛应急处置",
    "area": "福新路、盐场路、河滨路、福海路、鑫海路等低洼路段",
    "note": "市气象台发布暴雨橙色预警，预计夜间累计降雨量80毫米以上；年轻干部防汛预备队分6组到积水点值守",
}
FLOOD_POST_NOTES = ["路口积水点值守，设置警示标志", "临时封闭路段，引导车辆绕行", "下穿通道禁止通行，配合抽排",
                    "积水点值守，疏导行人车辆", "涵洞水位监测，随时报告", "路口值守，协助搬运沙袋"]
RAINSTORM_UPDATE = "防汛预备队第{group}组：{road}水位开始回落，道路仍封闭，继续值守"
RAINSTORM_STOOD_DOWN = ["积水消退，解除封闭，撤岗", None, None]

# An incident opened today, still under way when the demo is loaded: (post, its place, note).
TODAY_INCIDENT = {
    "title": "强降雨防汛值守",
    "area": "富华路、河滨路、盐场路沿线低洼路段",
    "note": "气象台发布暴雨蓝色预警，短时强降雨，低洼路段和下穿通道安排人员值守",
}
TODAY_POSTS = [
    ("富华路与河滨路路口", "西留公村", "积水点值守，劝导车辆绕行"),
    ("河滨路下穿通道", "河滨村", "下穿通道禁止通行，配合抽排"),
    ("盐场路低洼路段", "盐场社区", "巡查雨水篦子，清理堵塞"),
]
TODAY_REPORTS = [
    "{post}积水约20厘米，已设置警示锥，劝导车辆绕行",
    "{post}雨水篦子被落叶堵塞，已清理，排水恢复",
]
