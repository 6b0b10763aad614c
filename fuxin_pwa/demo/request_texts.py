"""What residents asked for in the demo (群众诉求) and what the teams wrote while handling it.

{head} is the resident, {addr} their address, {where} their estate, village or community and
{road} a road of the subdistrict; the loader fills them in."""

# The stories told one by one (demo/requests.py reads the keys):
# - where: the place the resident lives under; raiser: "leader" (at the centre's tablet),
#   "cover" (a team member covering the place, in the field) or a demo login;
# - assignee: "cover", a demo login, or None
#   (answered at the desk by whoever took it down);
# - days: when it was raised, in days before today (hour: local); or minutes before now;
# - visits: the follow-up visits (诉求办理), spread between the raising and the closing;
# - close: (status, note, referred to) or None, with `status` the state it stays in;
# - callbacks: the 回访 calls after the closing, (satisfaction, note);
# - reopen: (note, the visits after it) when the resident was not satisfied.
STORIES = [
    {"key": "leak", "where": "富豪西苑", "category": "facility_repair", "raiser": "leader",
     "assignee": "grid", "hour": 10,
     "description": "{head}到盐场社区党群服务中心反映：{addr}顶楼屋面漏水，雨天卧室渗水严重，"
                    "物业称已过保修期",
     "close": ("resolved", "屋面防水工程已开工，维修资金和分摊方案经同单元业主同意", None),
     "callbacks": [("satisfied", "电话回访，{head}表示屋顶不再渗水，感谢网格员多次上门")]},
    {"key": "drain", "where": "万科城", "category": "facility_repair", "raiser": "leader",
     "assignee": "cover", "days": 12, "hour": 9.5, "span": 2.5,
     "description": "{addr}所在单元下水主管堵塞，一楼{head}家厨房和卫生间污水倒灌，已持续两天",
     "visits": ["现场查看，堵点在一楼主管弯头处，联系物业安排管道疏通",
                "物业疏通队上门，清出大量油污和杂物，主管恢复通畅",
                "回访{head}家，排水正常；在单元群提醒住户勿向下水道倒油"],
     "close": ("resolved", "主管已疏通，一楼排水正常", None),
     "callbacks": [("satisfied", "电话回访，居民对处理速度表示满意")]},
    {"key": "parking", "where": "永鑫花园", "category": "neighbour_dispute", "raiser": "cover",
     "assignee": "cover", "days": 20, "hour": 19, "span": 9,
     "description": "{head}反映：楼前两户居民因车位占用多次争吵，一方长期把车停在他人固定车位前，"
                    "另一方堵车报复，已影响邻里关系",
     "visits": ["分别上门听取双方意见，查看楼前停车现场",
                "组织双方和物业在网格家园调解，约定各自车位，物业同意加装挡车杆",
                "回访双方，车辆已按约定停放；一方对物业停车收费仍有意见"],
     "close": ("partly_resolved", "停车纠纷已调解，双方按约定车位停放；物业收费问题另行反映", None),
     "callbacks": [("basically", "回访双方，基本满意，希望物业尽快装好挡车杆")]},
    {"key": "resettlement", "where": "冶头村", "category": "policy_question", "raiser": "leader",
     "assignee": None, "days": 9, "hour": 10.5, "span": 0.03,
     "description": "冶头村村民{head}来党群服务中心咨询：回迁安置房面积如何核算，"
                    "过渡期租房补贴按月还是按季度发放",
     "close": ("resolved", "当场讲解回迁安置面积核算办法和过渡费按季度发放的规定，发放政策明白纸", None),
     "callbacks": [("satisfied", "电话回访，{head}表示政策已经听明白")]},
    {"key": "hardship", "where": "万科社区", "category": "assistance", "raiser": "community",
     "assignee": "community", "days": 16, "hour": 15,
     "description": "{head}的丈夫突发脑梗住院，家庭收入骤减，孩子上高中，申请临时救助",
     "visits": ["入户核实家庭收入和医疗支出，指导{head}填写临时救助申请表",
                "协助收集住院票据和收入证明，材料已报街道民政办，等待审批"],
     "open": "in_progress"},
    {"key": "streetlights", "where": "河滨村", "category": "facility_repair", "raiser": "cover",
     "assignee": "cover", "days": 25, "hour": 20, "span": 1.2,
     "description": "河滨路（河滨村段）连续五盏路灯不亮，夜间行人和电动车通行危险",
     "visits": ["夜间到现场查看，确认五盏路灯不亮，属市政路灯"],
     "close": ("referred", "属市政路灯管护范围，已转办，对方承诺三个工作日内修复", "区城市管理局路灯管理所"),
     "callbacks": [("satisfied", "电话回访，路灯已修复")]},
    {"key": "bus_stop", "where": "永鑫社区", "category": "other", "raiser": "leader",
     "assignee": "cover", "days": 30, "hour": 9, "span": 6,
     "description": "{head}等居民希望在永鑫社区北门增设公交站点，方便老人就医",
     "visits": ["与居民代表座谈，了解出行需求，查看北门周边道路条件"],
     "close": ("cannot_resolve", "公交站点由市公交集团统一规划，北门三百米内已有站点，暂不具备增设条件；"
                                 "已向居民解释，并将建议反映至公交集团", None),
     "callbacks": [("basically", "回访，居民表示理解，希望建议能被采纳")]},
    {"key": "garbage", "where": "南台村", "category": "sanitation", "raiser": "cover",
     "assignee": "cover", "days": 11, "hour": 8.5, "span": 1.5,
     "description": "{head}反映村东头垃圾点清运不及时，垃圾堆到路边，异味很大",
     "visits": ["现场查看垃圾点，联系环卫公司当天清运"],
     "close": ("resolved", "环卫公司已清运", None),
     "callbacks": [("unsatisfied", "回访，{head}反映清运一次后又堆满，要求固定清运频次")],
     "reopen": ("居民不满意，重新办理：协调固定清运频次",
                ["与环卫公司和村委商定每日上午清运一次，增设两个垃圾桶"])},
    {"key": "hall_light", "where": "盐场新居", "category": "facility_repair", "raiser": "leader",
     "assignee": None, "minutes": 50,
     "description": "{head}来电反映：{addr}所在单元楼道感应灯全部不亮，老人晚上上下楼不便",
     "open": "received"},
    {"key": "ditch", "where": "西留公村", "category": "sanitation", "raiser": "leader",
     "assignee": "liaison", "days": 1, "hour": 14,
     "description": "{head}反映西留公村北街排水沟被杂物堵塞，雨后路面积水",
     "open": "assigned"},
    {"key": "lift", "where": "富豪西苑", "category": "facility_repair", "raiser": "grid",
     "assignee": "grid", "days": 10, "hour": 16,
     "description": "{head}反映：{addr}所在楼栋电梯一周内停运三次，高层老人出行困难",
     "visits": ["联系物业和电梯维保单位到场检查，维保单位称需更换控制板，等待配件"],
     "open": "in_progress"},
    {"key": "crop_compensation", "where": "冶头村", "category": "policy_question", "raiser": "leader",
     "assignee": "cadre", "days": 2, "hour": 11,
     "description": "{head}咨询待征迁地块青苗补偿标准和发放时间",
     "visits": ["上门为{head}讲解青苗补偿标准，约定补偿清单核实后再次答复"],
     "open": "in_progress"},
]

# The drawn requests, by category code: what the resident said.
DESCRIPTIONS = {
    "facility_repair": [
        "{addr}楼道感应灯不亮已一周，晚上上下楼不便",
        "{where}路口路灯损坏，夜间路面漆黑",
        "{addr}下水管道堵塞，厨房污水倒灌",
        "{addr}单元门禁损坏，门关不上",
        "{where}健身器材螺丝松动，存在安全隐患",
        "{road}人行道井盖松动，踩上去有响声",
        "{addr}外墙渗水，雨天墙面发霉",
        "{where}自来水水压低，高层住户用水困难",
    ],
    "neighbour_dispute": [
        "{head}反映楼上卫生间漏水到自家，双方协商未果",
        "{where}私家车长期占用消防通道和他人车位，邻里发生争执",
        "{head}反映邻居在楼道堆放杂物，多次沟通无效",
        "{head}与邻居因宅基地边界问题产生纠纷",
        "{head}反映楼上夜间噪音扰民",
        "{head}反映邻居养狗不拴绳，吓到孩子",
    ],
    "sanitation": [
        "{where}垃圾桶满溢未及时清运，异味较大",
        "{road}沿街商户占道堆放杂物",
        "{where}绿化带有人倾倒建筑垃圾",
        "{addr}所在楼道小广告较多，请求清理",
        "{where}河沟有漂浮垃圾",
        "{where}空地杂草丛生，蚊虫多",
    ],
    "policy_question": [
        "{head}咨询安置房回迁面积核算和过渡费标准",
        "{head}咨询城乡居民医保缴费时间和标准",
        "{head}咨询高龄津贴申领条件",
        "{head}咨询老旧小区改造是否包含加装电梯",
        "{head}咨询孩子入学需要准备哪些材料",
        "{head}咨询养老保险补缴政策",
    ],
    "assistance": [
        "{head}家庭因病致困，申请临时救助",
        "独居老人{head}行动不便，申请助餐服务",
        "{head}申请低保，需要协助准备材料",
        "{head}家中有残疾人，申请辅具适配",
        "{head}家中老人需要居家养老上门服务",
    ],
    "other": [
        "{head}反映快递柜设置位置不便",
        "{head}建议{where}增设休闲座椅",
        "{head}希望社区组织老年人智能手机培训",
        "{head}反映{where}附近夜间有流动摊贩噪音",
    ],
}

# Follow-up visits by category: (the first, the ones in between, the last before closing).
VISITS = {
    "facility_repair": (["现场查看{addr}情况，拍照留存，联系物业核实维修责任", "上门查看，联系维修单位确定维修方案"],
                        ["督促维修单位上门施工", "跟进维修进度，向{head}说明工期"],
                        ["回访{head}，维修完毕，使用正常", "维修完成，现场验收"]),
    "neighbour_dispute": (["分别听取双方意见，了解矛盾起因", "上门了解情况，先做{head}的思想工作"],
                          ["组织双方在网格家园调解", "请社区法律顾问参与调解，讲解相关规定"],
                          ["双方达成一致意见，签订调解协议", "回访双方，矛盾已化解"]),
    "sanitation": (["现场查看，联系环卫公司清运", "查看{where}现场，拍照后通知物业清理"],
                   ["督促责任单位清理到位"],
                   ["复查现场，已清理干净", "回访{head}，环境已改善"]),
    "policy_question": (["上门为{head}讲解相关政策，发放明白纸"],
                        ["帮{head}向街道相关科室核实具体标准"],
                        ["再次上门答复{head}，政策已讲清楚"]),
    "assistance": (["入户核实{head}家庭情况，指导填写申请材料", "上门了解{head}的具体困难和需求"],
                   ["协助收集证明材料，报街道民政办", "联系志愿者结对帮扶"],
                   ["申请已获批，告知{head}领取方式", "服务已落实，{head}表示感谢"]),
    "other": (["上门听取{head}的意见和建议"],
              ["与相关单位沟通可行性"],
              ["向{head}反馈办理结果"]),
}

ASSIGN_NOTES = [None, None, "请尽快上门核实处理", "请在期限内办结并回访", "涉及物业，请协调办理"]

CLOSE_NOTES = {
    "resolved": ["问题已解决，居民确认", "已办结，现场复核无误", "已按居民诉求办理完毕"],
    "partly_resolved": ["已协调解决主要问题，剩余问题纳入下一步计划", "部分解决，居民同意后续再协调"],
    "cannot_resolve": ["诉求不属于街道职责范围，已向居民解释并告知办理渠道",
                       "经核实不符合政策条件，已向居民说明原因"],
    "referred": ["需专业部门处理，已转办并告知居民", "已转相关部门办理，持续跟踪"],
}
REFERRED_TO = ["区城市管理局", "区住房和城乡建设局", "供电公司福新供电所", "区人力资源和社会保障局",
               "福新派出所", "区自然资源局", "自来水公司福山营业所"]

CALLBACK_NOTES = {
    "satisfied": ["电话回访，居民表示满意", "上门回访，居民满意"],
    "basically": ["电话回访，居民基本满意", "回访，居民表示理解"],
    "unsatisfied": ["回访，居民对办理结果不满意"],
    "unreachable": ["两次电话回访均未接通"],
}
